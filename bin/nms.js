#!/usr/bin/env node
// The `nms` entry point. The project runs its TypeScript through tsx, so there
// is no build step between a git clone and a working command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
