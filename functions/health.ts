import { httpFunction } from '../runtime/registry';

httpFunction('health', { methods: ['GET'], authLevel: 'anonymous', route: 'health' }, async () => {
  const { handleHealth, healthDoc } = await import('../shared/runs/healthEndpoint');
  return {
    doc: healthDoc,
    handler: (_request, { apiStorage, settings, logger }) => handleHealth(apiStorage, settings, logger),
  };
});
