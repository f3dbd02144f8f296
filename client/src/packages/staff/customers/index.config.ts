export default definePageConfig({ navigationBarTitleText: '我的顾客' })
