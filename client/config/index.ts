import path from 'node:path'
import { defineConfig, type UserConfigExport } from '@tarojs/cli'

/** uCharts' one file, wherever npm put the package (the workspace root's node_modules, usually) */
const UCHARTS = path.dirname(require.resolve('@qiun/ucharts/package.json'))

// Taro build configuration: one source, two targets — the WeChat mini-program (weapp) and H5 for the browser demo
// and the end-to-end tests. See https://docs.taro.zone/docs/config-detail
export default defineConfig<'webpack5'>(async () => {
  const config: UserConfigExport<'webpack5'> = {
    projectName: 'member-center',
    date: '2026-11-23',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${process.env.TARO_ENV}`,
    plugins: [],
    // build-time settings (Taro only inlines what is defined here)
    defineConstants: {
      API_BASE: JSON.stringify(process.env.TARO_APP_API_BASE ?? 'http://localhost:3000'),
      SANDBOX_URL: JSON.stringify(process.env.TARO_APP_SANDBOX_URL ?? ''),
    },
    alias: {
      '@member-center/shared': path.resolve(__dirname, '..', '..', 'shared', 'src'),
    },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: false },
    mini: {
      // small pure rules from shared/ (no validator) are compiled with the app, and so is uCharts (the manager view's
      // charts), which ships ES2015+ while WeChat's older engines (and project.config.json's es6: false) want ES5
      compile: { include: [path.resolve(__dirname, '..', '..', 'shared', 'src'), UCHARTS] },
      // WeChat's code quality scan (代码质量, DevTools): modules only subpackages use leave the main package ...
      optimizeMainPackage: { enable: true },
      // ... templates ship without layout whitespace (JS and WXSS are minified in every production build) ...
      minifyXML: { collapseWhitespace: true },
      // ... and no file in the package goes unused: license comments stay inside the scripts they belong to (Taro drops
      // every other comment) instead of going to *.LICENSE.txt files beside them that nothing loads.
      // test/client/weapp-package.test.ts checks all of this on the output.
      webpackChain(chain) {
        // (webpack-chain's types leave out `minimizers`; production builds register Taro's terser as 'terserPlugin')
        const minimizers = (chain.optimization as unknown as { minimizers: { has(name: string): boolean } }).minimizers
        if (!minimizers.has('terserPlugin')) return
        chain.optimization.minimizer('terserPlugin').tap(([options]) => [
          {
            ...options,
            extractComments: false,
            terserOptions: { ...options.terserOptions, output: { ...options.terserOptions.output, comments: 'some' } },
          },
        ])
      },
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
    h5: {
      compile: { include: [path.resolve(__dirname, '..', '..', 'shared', 'src'), UCHARTS] },
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      output: { filename: 'js/[name].[hash:8].js', chunkFilename: 'js/[name].[chunkhash:8].js' },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
  }
  return config
})
