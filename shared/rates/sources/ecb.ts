import type { Settings } from '../../config/settings';
import { endpointOf } from '../../http/endpoint';
import { createUpstreamHttp, statusError, type UpstreamHttp } from '../../http/upstreamHttp';
import type { FxRatesSource } from './source';

/**
 * The European Central Bank's daily euro reference rates (public, no credentials). The file is
 * EUR-based; the pipeline converts it to USD per unit (shared/rates/rate). It is published on
 * TARGET working days around 16:00 CET, so a fetch on a weekend stores Friday's rates again.
 */
export function createEcbRatesSource(
  settings: Settings,
  http: UpstreamHttp = createUpstreamHttp(settings),
): FxRatesSource {
  return {
    name: 'ecb',
    history: false,
    dayFrom: 'request',
    async fetchRates(_request, signal) {
      const url = settings.ECB_RATES_URL;
      const response = await http.stream({ url, headers: { Accept: 'application/xml, text/xml, */*' }, signal });
      if (response.ok) return { body: response.body, origin: `ECB ${endpointOf(url)}` };
      throw statusError(`ECB ${endpointOf(url)}`, response);
    },
  };
}
