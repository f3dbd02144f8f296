/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.scss'

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5'
    /** API origin for the weapp build (H5 calls the origin that served it) */
    TARO_APP_API_BASE?: string
    /** WeChat sandbox origin for the H5 build's demo login */
    TARO_APP_SANDBOX_URL?: string
  }
}
