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
      {/* nativeProps reach the H5 <img>; WeChat's image has no alt, its screen reader reads the caption below */}
      <Image className='member-qr__image' src={src} data-code={code} mode='aspectFit' nativeProps={{ alt: '会员码二维码，出示给店员扫码' }} />
      <Text className='muted'>出示给店员扫码 · {secondsLeft} 秒后刷新</Text>
    </View>
  )
}
