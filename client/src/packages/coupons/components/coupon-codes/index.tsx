import { Image, Text, View } from '@tarojs/components'
import CODE128 from 'jsbarcode/bin/barcodes/CODE128/CODE128_AUTO.js'
import qrcode from 'qrcode-generator'
import { useMemo } from 'react'
import { groupedCode } from '../../format'
import './index.scss'

/** Quiet zone each side of a Code 128 barcode, in modules (the standard asks for ten). */
const QUIET = 10

/**
 * The coupon code as Code 128 (jsbarcode's encoder picks the shortest mix of code sets A, B and C), as runs of bars and
 * spaces, each `flex-grow` its width in modules: plain views, the same in WeChat and the browser, no canvas to size.
 */
export function barcodeRuns(code: string): { bar: boolean; modules: number }[] {
  const bits = `${'0'.repeat(QUIET)}${new CODE128(code, {}).encode().data}${'0'.repeat(QUIET)}`
  const runs: { bar: boolean; modules: number }[] = []
  for (const bit of bits) {
    const bar = bit === '1'
    const last = runs[runs.length - 1]
    if (last && last.bar === bar) last.modules += 1
    else runs.push({ bar, modules: 1 })
  }
  return runs
}

/** The in-store code for store staff: a QR code, a barcode under it, and the code in words for typing it in. */
export default function CouponCodes({ code }: { code: string }) {
  const qr = useMemo(() => {
    const q = qrcode(0, 'M')
    q.addData(code)
    q.make()
    return q.createDataURL(6, 8)
  }, [code])
  const runs = useMemo(() => barcodeRuns(code), [code])
  return (
    <View className='coupon-codes'>
      {/* nativeProps reach the H5 <img>; WeChat's image has no alt, its screen reader reads the code below. The square
          code fills its square box (scaleToFill: H5's aspectFit leaves a smaller image at the box's left edge). */}
      <Image className='coupon-codes__qr' src={qr} data-testid='coupon-qr' data-code={code} mode='scaleToFill' nativeProps={{ alt: `券码二维码：${code}` }} />
      <View className='coupon-codes__barcode' data-testid='coupon-barcode' data-code={code} {...{ role: 'img', 'aria-label': `券码条形码：${code}` }}>
        {runs.map((run, i) => (
          <View key={i} className={run.bar ? 'coupon-codes__bar' : 'coupon-codes__space'} style={{ flexGrow: run.modules }} />
        ))}
      </View>
      <Text className='coupon-codes__code' data-testid='coupon-code-text'>
        {groupedCode(code)}
      </Text>
    </View>
  )
}
