import type { HttpHandler, StorageQueueHandler } from '@azure/functions';
import { registeredFunctions, type Registration } from '../../runtime/registry';

/** The registration of function `name`, its file (functions/<name>.ts) loaded as the host loads it. */
function registrationOf(name: string): Registration {
  require(`../../functions/${name}`);
  const registration = registeredFunctions().find((r) => r.name === name);
  if (!registration) throw new Error(`functions/${name} registers no function ${name}`);
  return registration;
}

/** What the host calls for each request of HTTP function `name`. */
export function httpHandlerOf(name: string): HttpHandler {
  const registration = registrationOf(name);
  if (registration.kind !== 'http') throw new Error(`${name} is not an HTTP function`);
  return registration.options.handler;
}

/** What the host calls for each message of queue function `name`. */
export function queueHandlerOf(name: string): StorageQueueHandler {
  const registration = registrationOf(name);
  if (registration.kind !== 'queue') throw new Error(`${name} is not a queue function`);
  return registration.handler;
}
