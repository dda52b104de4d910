/** Every vendor nms knows, by the name topology.yaml gives it. */
import { cisco } from './cisco.ts';
import { generic } from './generic.ts';
import { h3c } from './h3c.ts';
import { huawei } from './huawei.ts';
import type { VendorProfile } from './vendorProfile.ts';
import { zte } from './zte.ts';

export const VENDOR_PROFILES = { huawei, h3c, cisco, zte, generic } as const satisfies Record<string, VendorProfile>;
