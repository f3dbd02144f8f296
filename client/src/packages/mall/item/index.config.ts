export default definePageConfig({ navigationBarTitleText: '礼遇详情' })
