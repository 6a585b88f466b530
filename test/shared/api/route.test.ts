import { matchRoute, routeSegments } from '../../../shared/api/route';

describe('routeSegments', () => {
  it('reads literal segments and parameters, with or without constraint and optional mark', () => {
    expect(routeSegments('prices/{id}/items/{name:int?}/{tail?}/{re:regex(^a?b$)}')).toEqual([
      { literal: 'prices' },
      { parameter: 'id' },
      { literal: 'items' },
      { parameter: 'name' },
      { parameter: 'tail' },
      { parameter: 're' },
    ]);
  });

  it('keeps anything that is not a whole {parameter} segment literal', () => {
    expect(routeSegments('openapi.json')).toEqual([{ literal: 'openapi.json' }]);
    expect(routeSegments('a{b}/{c')).toEqual([{ literal: 'a{b}' }, { literal: '{c' }]);
  });
});

describe('matchRoute', () => {
  it('matches literal routes case-insensitively, and nothing longer or shorter', () => {
    expect(matchRoute('prices/changes', 'prices/changes')).toEqual({});
    expect(matchRoute('prices/changes', 'Prices/Changes')).toEqual({});
    expect(matchRoute('prices', 'prices/changes')).toBeNull();
    expect(matchRoute('prices/changes', 'prices')).toBeNull();
  });

  it('takes literal dots literally', () => {
    expect(matchRoute('openapi.json', 'openapi.json')).toEqual({});
    expect(matchRoute('openapi.json', 'openapiXjson')).toBeNull();
  });

  it('gives each parameter one decoded segment', () => {
    expect(matchRoute('prices/{id}/{name:int?}', 'prices/DZH318Z0BQ4L%2F001/7')).toEqual({
      id: 'DZH318Z0BQ4L/001',
      name: '7',
    });
    expect(matchRoute('prices/{id}', 'prices/a/b')).toBeNull();
  });
});
