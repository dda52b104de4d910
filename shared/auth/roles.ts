/** Console roles: a manager looks (viewer), a NOC engineer acts on alarms (operator), an admin runs the system. */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
