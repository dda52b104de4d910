import { z } from 'zod';

/** A mobile number as on-call rotas, SMS gateways and robot @-mentions take it: digits, an optional leading +. */
export const phoneNumber = z.string().regex(/^\+?\d{5,15}$/, { error: 'must be a mobile number' });
