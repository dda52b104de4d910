// A worker thread's first module. The project runs its TypeScript through tsx
// (bin/nms.js, mocha), whose loader hooks are not inherited by a worker: it
// registers them here, then loads the worker's own module.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
