export default definePageConfig({ navigationBarTitleText: '复盘' })
