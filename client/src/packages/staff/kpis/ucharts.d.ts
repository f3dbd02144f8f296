// uCharts (@qiun/ucharts) ships no types: the part of its options this page uses. It draws once, synchronously when
// `animation` is false, on the canvas 2D context it is given (WeChat's canvas 2d node or the browser's <canvas>).
declare module '@qiun/ucharts' {
  export interface UChartsSeries {
    name: string
    data: (number | null)[] | number
    color?: string
    /** the text a data label shows */
    formatter?: (value: number, index: number) => string
    textColor?: string
    pointShape?: 'circle' | 'diamond' | 'triangle' | 'square'
  }
  export interface UChartsOptions {
    type: 'line' | 'column' | 'bar' | 'area' | 'pie' | 'ring'
    context: unknown
    width: number
    height: number
    pixelRatio: number
    canvas2d?: boolean
    animation?: boolean
    background?: string
    fontSize?: number
    fontColor?: string
    padding?: [number, number, number, number]
    categories?: string[]
    series: UChartsSeries[]
    color?: string[]
    dataLabel?: boolean
    dataPointShape?: boolean
    legend?: Record<string, unknown>
    xAxis?: Record<string, unknown>
    yAxis?: Record<string, unknown>
    extra?: Record<string, unknown>
  }
  export default class UCharts {
    constructor(options: UChartsOptions)
  }
}
