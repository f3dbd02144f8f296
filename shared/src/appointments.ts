/**
 * Appointments' words, apart from their schemas (schemas/appointments.ts) so the mini-program can import them without
 * the validator: what a member comes in for, the words they read for it, and an appointment's statuses.
 */

/** What a member comes in for. */
export const APPOINTMENT_PURPOSES = ['cleaning', 'resizing', 'custom', 'viewing'] as const
export type AppointmentPurpose = (typeof APPOINTMENT_PURPOSES)[number]
/** The words a member reads for each purpose (messages, the mini-program). */
export const APPOINTMENT_PURPOSE_LABELS: Readonly<Record<AppointmentPurpose, string>> = {
  cleaning: '清洗保养',
  resizing: '改圈',
  custom: '定制设计',
  viewing: '到店看款',
}

/**
 * requested: booked by the member, waiting for the store; confirmed: the store confirmed it (or moved it to a time it
 * chose); cancelled: by the member or the store (`cancelledBy`); completed: the visit took place; no_show: the member
 * did not come.
 */
export const APPOINTMENT_STATUSES = ['requested', 'confirmed', 'cancelled', 'completed', 'no_show'] as const
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number]
