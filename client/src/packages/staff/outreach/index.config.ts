export default definePageConfig({ navigationBarTitleText: '触达复盘' })
