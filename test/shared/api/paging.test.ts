import { nextLink } from '../../../shared/api/paging';

describe('nextLink', () => {
  it('is the request URL with the token replaced, the other parameters kept', () => {
    const link = nextLink(
      'https://app.azurewebsites.net/api/prices?market=US&top=5&continuationToken=old',
      'new.token',
    );
    const url = new URL(link as string);
    expect(url.origin + url.pathname).toBe('https://app.azurewebsites.net/api/prices');
    expect([...url.searchParams]).toEqual([
      ['market', 'US'],
      ['top', '5'],
      ['continuationToken', 'new.token'],
    ]);
  });

  it('never carries the function key given as ?code=', () => {
    const link = nextLink('http://localhost:7071/api/prices?market=US&code=secret-key', 'abc');
    expect(link).toBe('http://localhost:7071/api/prices?market=US&continuationToken=abc');
  });

  it('is null on the last page', () => {
    expect(nextLink('http://localhost:7071/api/prices?market=US', null)).toBeNull();
  });
});
