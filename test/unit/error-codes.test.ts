import { Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { COPY_ERROR_CODES, ErrorCode, REQUEST_ERROR_CODES } from '../../src/copy/error-codes.js';
import { commonTypeDefs } from '../../src/graphql/schema.js';

describe('the list of error codes', () => {
  it('holds every value of the GraphQL CopyErrorCode enum', () => {
    const copyErrorCode = parse(commonTypeDefs()).definitions.find(
      (d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'CopyErrorCode',
    );
    const values =
      copyErrorCode?.kind === Kind.ENUM_TYPE_DEFINITION ? copyErrorCode.values?.map((v) => v.name.value) : [];
    expect(values?.length).toBeGreaterThan(10);
    expect([...COPY_ERROR_CODES].sort()).toEqual([...(values ?? [])].sort());
  });

  it('names every code once, each by itself', () => {
    const all = [...COPY_ERROR_CODES, ...REQUEST_ERROR_CODES];
    expect(new Set(all).size).toBe(all.length);
    expect(Object.entries(ErrorCode)).toEqual(all.map((code) => [code, code]));
    expect(ErrorCode.BAD_USER_INPUT).toBe('BAD_USER_INPUT');
    expect(Object.isFrozen(ErrorCode)).toBe(true);
  });
});
