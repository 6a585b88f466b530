import type { HttpRequest } from '@azure/functions';
import type { EndpointRequest } from '../shared/api/request';

/** A host request as the endpoints of shared/ read it. */
export function endpointRequest(request: HttpRequest): EndpointRequest {
  return {
    method: request.method,
    params: request.params,
    query: request.query,
    body: request.body as AsyncIterable<Uint8Array> | null,
    contentLength: request.headers.get('content-length'),
  };
}
