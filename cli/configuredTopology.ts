import { loadConfig } from '../shared/config/config.ts';

/** The topology file nms.yaml (or NMS_CONFIG) names, else topology.yaml here. */
export async function configuredTopologyFile(): Promise<string> {
  return (await loadConfig({ env: process.env, cwd: process.cwd() })).topologyFile;
}
