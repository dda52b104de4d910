/**
 * The parts of net-snmp's Agent and Mib this project uses, typed. The
 * package's own typings declare them as `any`.
 */
import snmp from 'net-snmp';

export interface MibNode {
  value: unknown;
  /** The ObjectType of an instance's value. */
  valueType?: number;
  address: number[];
  children: Record<string, MibNode>;
  provider?: ProviderDefinition;
  /** The node of the scalar or table this instance belongs to. */
  getAncestorProvider(): MibNode | null;
  delete(): void;
  /** Removes this node if it has no children, then its parent likewise. */
  pruneUpwards(): void;
}

export interface MibRequest {
  oid: string;
  operation: number;
  instanceNode: MibNode;
  done(error?: { errorStatus: number }): void;
}

export interface TableColumn {
  number: number;
  name: string;
  type: number;
  maxAccess: number;
}

export interface ProviderDefinition {
  name: string;
  type: number;
  oid: string;
  maxAccess: number;
  scalarType?: number;
  tableColumns?: TableColumn[];
  tableIndex?: Array<{ columnName: string }>;
  tableAugments?: string;
  handler?: (request: MibRequest) => void;
}

export interface Mib {
  registerProvider(definition: ProviderDefinition): void;
  setScalarValue(name: string, value: unknown): void;
  addTableRow(name: string, row: unknown[]): void;
  deleteTableRow(name: string, index: unknown[]): boolean;
  lookup(oid: string): MibNode | null;
}

export interface Authorizer {
  addCommunity(community: string): void;
  addUser(user: snmp.User): void;
}

export interface Agent {
  getMib(): Mib;
  getAuthorizer(): Authorizer;
  close(callback?: () => void): void;
}

export interface AgentOptions {
  port: number;
  address: string;
  transport: 'udp4' | 'udp6';
  engineID: string;
  disableAuthorization: boolean;
  accessControlModelType: number;
  dgramModule: { createSocket(type: string): unknown };
}

export function createAgent(options: AgentOptions, callback: (error: Error | null) => void): Agent {
  return snmp.createAgent(options, callback) as Agent;
}

export const ObjectType = snmp.ObjectType;
export const MaxAccess = (snmp as unknown as { MaxAccess: Record<string, number> }).MaxAccess;
export const MibProviderType = (snmp as unknown as { MibProviderType: { Scalar: number; Table: number } }).MibProviderType;
export const ErrorStatus = snmp.ErrorStatus;
