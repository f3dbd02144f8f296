import type { Birthday, BirthdayGiftStatus } from '@member-center/shared'
import { request } from './http'

/** GET /api/me/birthday-gift — this year's gift: upcoming, issued, not eligible (with the reason), or no birthday yet */
export const getBirthdayGift = () => request<BirthdayGiftStatus>('GET', '/api/me/birthday-gift')

/** PUT /api/me/birthday — set once; a correction later goes through store staff */
export const setBirthday = (birthday: string, year?: number) =>
  request<Birthday>('PUT', '/api/me/birthday', year ? { birthday, year } : { birthday }, {
    BIRTHDAY_ALREADY_SET: '生日已经设置过了。如需更正，请联系门店顾问。',
    VALIDATION_FAILED: '这个日期不存在，请重新选择。',
  })
