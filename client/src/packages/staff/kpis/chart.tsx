import Taro from '@tarojs/taro'
import { Canvas, View } from '@tarojs/components'
import UCharts, { type UChartsOptions } from '@qiun/ucharts'
import { useEffect, useState } from 'react'

/** What a chart draws: uCharts' options less the canvas, which this component brings. */
export type ChartSpec = Omit<UChartsOptions, 'context' | 'width' | 'height' | 'pixelRatio'>

interface Found {
  canvas: { width: number; height: number; getContext(type: '2d'): unknown }
  width: number
  height: number
}

let instances = 0

/**
 * The canvas of a chart, once it is laid out: in WeChat the canvas 2d node (selector query), in H5 the <canvas> inside
 * Taro's canvas element. Null until it is there (Taro renders the H5 element's inside a moment after React commits).
 */
function findCanvas(id: string): Promise<Found | null> {
  if (process.env.TARO_ENV === 'h5') {
    const canvas = document.getElementById(id)?.querySelector('canvas')
    const rect = canvas?.getBoundingClientRect()
    return Promise.resolve(canvas && rect && rect.width > 0 ? { canvas, width: rect.width, height: rect.height } : null)
  }
  return new Promise((resolve) => {
    Taro.createSelectorQuery()
      .select(`#${id}`)
      .fields({ node: true, size: true })
      .exec((res: { node?: Found['canvas']; width?: number; height?: number }[] | null) => {
        const found = res?.[0]
        resolve(found?.node && found.width ? { canvas: found.node, width: found.width, height: found.height ?? 0 } : null)
      })
  })
}

function pixelRatio(): number {
  if (process.env.TARO_ENV === 'h5') return window.devicePixelRatio || 1
  return Taro.getWindowInfo?.().pixelRatio ?? Taro.getSystemInfoSync().pixelRatio ?? 2
}

/** What the chart is drawn from, as a key: drawn again only when this changes. */
function specKey(spec: ChartSpec): string {
  return JSON.stringify({ type: spec.type, categories: spec.categories, series: spec.series.map((s) => [s.name, s.data, s.color]) })
}

/**
 * One chart (uCharts on a canvas 2d, the same code in the mini-program and in H5), drawn without animation. The canvas
 * is decoration for the eye: its figures are always written beside it as text (screen readers read those), so it is
 * hidden from assistive technology. `size` picks the height from the page's styles.
 */
export default function Chart({ spec, size = 'normal', testId }: { spec: ChartSpec; size?: 'normal' | 'small'; testId: string }) {
  const [id] = useState(() => `kpi-chart-${++instances}`)
  const key = specKey(spec)
  useEffect(() => {
    let live = true
    let tries = 0
    const draw = async () => {
      const found = await findCanvas(id)
      if (!live) return
      if (!found) {
        // not laid out yet: try again a little later (up to ~3 s)
        if (tries++ < 60) setTimeout(() => void draw(), 50)
        return
      }
      const ratio = pixelRatio()
      const width = Math.round(found.width * ratio)
      const height = Math.round(found.height * ratio)
      found.canvas.width = width
      found.canvas.height = height
      // eslint-disable-next-line no-new -- uCharts draws in its constructor
      new UCharts({
        background: '#FFFFFF',
        fontSize: 12,
        // axis and label text: #4d4640 is 9.1:1 on white
        fontColor: '#4d4640',
        ...spec,
        context: found.canvas.getContext('2d'),
        width,
        height,
        pixelRatio: ratio,
        canvas2d: true,
        animation: false,
      })
    }
    void draw()
    return () => {
      live = false
    }
    // the spec's functions (formatters) follow its data: redraw on the data only
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, key])
  return (
    <View className={`kpi-chart kpi-chart--${size}`} aria-hidden='true' data-testid={testId}>
      <Canvas type='2d' id={id} className='kpi-chart__canvas' />
    </View>
  )
}
