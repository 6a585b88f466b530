/**
 * What the entry points use of blob-drop uploads: the handlers of the two upload areas. No other
 * feature uses uploads (it feeds prices, rates and customers, through their index files); any
 * that did would import it through this file only, as .dependency-cruiser.js enforces.
 */

export { processPriceUpload } from './priceDrop';
export { processCustomerUpload } from './customerDrop';
export { blobCreatedEvent, uploadEventBlob, withDeliveriesExhausted } from './blobEvents';
