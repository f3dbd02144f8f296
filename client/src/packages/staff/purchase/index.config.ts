export default definePageConfig({ navigationBarTitleText: '登记消费' })
