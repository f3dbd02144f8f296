import Taro from '@tarojs/taro'
import { useState } from 'react'
import { toApiError } from '../../hooks/use-api'
import { revealPhone } from '../../services/staff'

/** What the last call did: the number dialled, or why there is none. */
export interface CallState {
  memberId: string
  /** the task row it came from, if any */
  taskId?: string
  phoneNumber: string | null
  error: string | null
}

/**
 * Dials a number: WeChat's dialog (Taro.makePhoneCall); in the H5 build Taro opens `tel:` itself, and where it has no
 * makePhoneCall the page does. Someone cancelling WeChat's dialog is no failure.
 */
async function dial(phoneNumber: string): Promise<void> {
  if (typeof Taro.makePhoneCall === 'function') {
    try {
      await Taro.makePhoneCall({ phoneNumber })
      return
    } catch {
      // cancelled in WeChat; in H5 fall through to tel:
      if (process.env.TARO_ENV !== 'h5') return
    }
  }
  if (process.env.TARO_ENV === 'h5' && typeof window !== 'undefined') window.location.href = `tel:${phoneNumber}`
}

/**
 * "拨打电话" for the Staff tab's task rows and the member page: asks the server for the member's whole number (shown
 * masked everywhere else; each reveal is audited), then dials it. The number stays on screen, so it can be dialled by
 * hand where the device cannot call.
 */
export function useCall() {
  const [busy, setBusy] = useState<string | null>(null)
  const [last, setLast] = useState<CallState | null>(null)
  const call = async (memberId: string, taskId?: string) => {
    if (busy) return
    setBusy(taskId ?? memberId)
    setLast(null)
    try {
      const { phoneNumber } = await revealPhone(memberId, taskId)
      setLast({ memberId, taskId, phoneNumber, error: null })
      await dial(phoneNumber)
    } catch (e) {
      setLast({ memberId, taskId, phoneNumber: null, error: toApiError(e).message })
    } finally {
      setBusy(null)
    }
  }
  return { call, busy, last }
}
