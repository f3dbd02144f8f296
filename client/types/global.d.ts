/// <reference types="@tarojs/taro" />

declare module '*.png'
declare module '*.scss'

declare namespace NodeJS {
  interface ProcessEnv {
    TARO_ENV: 'weapp' | 'h5'
  }
}

/** API origin for the weapp build, from TARO_APP_API_BASE at build time (H5 calls the origin that served it) */
declare const API_BASE: string
/** WeChat sandbox origin for the H5 demo login, from TARO_APP_SANDBOX_URL at build time ('' = this host, port 3001) */
declare const SANDBOX_URL: string
