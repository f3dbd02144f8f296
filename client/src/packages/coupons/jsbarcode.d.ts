// jsbarcode's Code 128 encoder on its own (no DOM, no canvas): its package types cover only the renderer entry.
declare module 'jsbarcode/bin/barcodes/CODE128/CODE128_AUTO.js' {
  export default class CODE128 {
    constructor(data: string, options: { text?: string })
    valid(): boolean
    /** data: the modules left to right, '1' a bar and '0' a space (start, data, checksum and stop included) */
    encode(): { data: string; text: string }
  }
}
