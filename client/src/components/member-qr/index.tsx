import { Image, Text, View } from '@tarojs/components'
import qrcode from 'qrcode-generator'
import { useMemo } from 'react'
import './index.scss'

/** The rotating member code as a QR code (a GIF data URL: works in WeChat's Image and in the browser). */
export default function MemberQr({ code, secondsLeft }: { code: string; secondsLeft: number }) {
  const src = useMemo(() => {
    const qr = qrcode(0, 'M')
    qr.addData(code)
    qr.make()
    return qr.createDataURL(6, 8)
  }, [code])
  return (
    <View className='member-qr'>
      <Image className='member-qr__image' src={src} data-code={code} mode='aspectFit' />
      <Text className='muted'>出示给店员扫码 · {secondsLeft} 秒后刷新</Text>
    </View>
  )
}
