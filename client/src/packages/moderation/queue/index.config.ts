export default definePageConfig({ navigationBarTitleText: '评价审核' })
