/** Console roles: a manager looks (viewer), a NOC engineer acts on alarms (operator), an admin runs the system. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What each role may do: a manager looks, an engineer acts on alarms and maintenance, an admin runs the system. */
export const CAN: Record<'act' | 'administer', readonly Role[]> = {
  act: ['operator', 'admin'],
  administer: ['admin'],
};
