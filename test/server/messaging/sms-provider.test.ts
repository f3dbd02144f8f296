import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { SmsSendError, SmsUnreachableError, TencentSmsProvider } from '../../../server/src/core/sms/index.js'
import { startSandbox, TEST_SMS } from '../../helpers/sandbox.js'

const sandbox = await startSandbox()

/** The Tencent Cloud SMS client (core/sms) against the sandbox's SendSms: TC3 signature, answers and error codes. */
describe('SMS provider: Tencent Cloud SendSms against the sandbox', () => {
  const provider = (over: Partial<ConstructorParameters<typeof TencentSmsProvider>[0]> = {}) =>
    new TencentSmsProvider({ baseUrl: sandbox.url, sdkAppId: TEST_SMS.appId, secretId: TEST_SMS.secretId, secretKey: TEST_SMS.secretKey, region: 'ap-guangzhou', signName: TEST_SMS.signName, timeoutMs: 2000, ...over })
  const send = (p = provider(), phone = '13800138000', templateId: string = TEST_SMS.templateId) => p.send({ phone, templateId, params: ['春季新品 回T退订'] })
  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(SmsSendError)
    return { code: (error as SmsSendError).code, failure: (error as SmsSendError).failure }
  }

  beforeEach(() => sandbox.reset())
  afterAll(() => sandbox.close())

  it('sends a signed request and records the SMS as the phone shows it', async () => {
    const { bizId } = await send()
    const [sms] = await sandbox.sms.sent()
    expect(sms).toMatchObject({ serialNo: bizId, phoneNumber: '+8613800138000', content: `【${TEST_SMS.signName}】春季新品 回T退订`, fee: 1 })
    await provider().send({ phone: '+85291234567', templateId: TEST_SMS.templateId, params: ['hi'] })
    expect((await sandbox.sms.sent()).map((s) => s.phoneNumber)).toEqual(['+8613800138000', '+85291234567'])
  })

  it('is refused with the provider’s codes: signature, key, app, sign name, template, number', async () => {
    expect(await refusal(send(provider({ secretKey: 'wrong-key' })))).toEqual({ code: 'AuthFailure.SignatureFailure', failure: 'permanent' })
    expect(await refusal(send(provider({ secretId: 'AKIDunknown' })))).toEqual({ code: 'AuthFailure.SecretIdNotFound', failure: 'permanent' })
    expect(await refusal(send(provider({ sdkAppId: '1400999999' })))).toEqual({ code: 'InvalidParameterValue.SdkAppIdNotExist', failure: 'permanent' })
    expect(await refusal(send(provider({ signName: '别的品牌' })))).toEqual({ code: 'FailedOperation.SignatureIncorrectOrUnapproved', failure: 'permanent' })
    expect(await refusal(send(provider(), '13800138000', '999'))).toEqual({ code: 'FailedOperation.TemplateIncorrectOrUnapproved', failure: 'permanent' })
    expect(await refusal(send(provider(), '12345'))).toEqual({ code: 'InvalidParameterValue.IncorrectPhoneNumber', failure: 'permanent' })
    expect(await refusal(provider().send({ phone: '13800138000', templateId: TEST_SMS.templateId, params: ['a', 'b'] }))).toMatchObject({ code: 'FailedOperation.TemplateParamSetNotMatchApprovedTemplate' })
    expect(await sandbox.sms.sent()).toHaveLength(0)
  })

  it('tells a daily limit, a blacklisted number, a passing error and an outage apart', async () => {
    await sandbox.sms.setDailyLimit(1)
    await send()
    expect(await refusal(send())).toEqual({ code: 'LimitExceeded.PhoneNumberDailyLimit', failure: 'next_day' })
    await sandbox.sms.blacklist('13800138001')
    expect(await refusal(send(provider(), '13800138001'))).toEqual({ code: 'FailedOperation.PhoneNumberInBlacklist', failure: 'blocked' })
    await sandbox.sms.fault({ count: 1, code: 'InternalError.Timeout' })
    expect(await refusal(send(provider(), '13800138002'))).toEqual({ code: 'InternalError.Timeout', failure: 'retry' })
    await sandbox.sms.fault({ count: 1, status: 502 })
    await expect(send(provider(), '13800138002')).rejects.toBeInstanceOf(SmsUnreachableError)
    await sandbox.sms.fault({ count: 1, delayMs: 500 })
    await expect(send(provider({ timeoutMs: 100 }), '13800138002')).rejects.toBeInstanceOf(SmsUnreachableError)
  })
})
