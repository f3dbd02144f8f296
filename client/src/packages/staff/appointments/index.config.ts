export default definePageConfig({ navigationBarTitleText: '门店预约' })
