import { describe, expect, it } from 'vitest';
import { freeName, newDir, renamedName, splitExtension } from '../../src/emulators/smh/tree.js';
import { toSegments } from '../../src/emulators/smh/paths.js';
import { clampPeriod } from '../../src/emulators/smh/tokens.js';

describe('smh rename rule', () => {
  it('splits the extension at the last dot but never at a leading dot', () => {
    expect(splitExtension('1.jpg')).toEqual({ base: '1', ext: '.jpg' });
    expect(splitExtension('a.tar.gz')).toEqual({ base: 'a.tar', ext: '.gz' });
    expect(splitExtension('.env')).toEqual({ base: '.env', ext: '' });
    expect(splitExtension('..env')).toEqual({ base: '..env', ext: '' });
    expect(splitExtension('.config.json')).toEqual({ base: '.config', ext: '.json' });
    expect(splitExtension('Makefile')).toEqual({ base: 'Makefile', ext: '' });
  });

  it('puts (n) before the extension for files and after the name for directories', () => {
    expect(renamedName('1.jpg', 'file', 1)).toBe('1 (1).jpg');
    expect(renamedName('file_new.docx', 'file', 2)).toBe('file_new (2).docx');
    expect(renamedName('.env', 'file', 1)).toBe('.env (1)');
    expect(renamedName('Makefile', 'file', 3)).toBe('Makefile (3)');
    expect(renamedName('bar', 'directory', 1)).toBe('bar (1)');
    expect(renamedName('my.album', 'album', 1)).toBe('my.album (1)');
  });

  it('picks the smallest free n and gives up after maxTries', () => {
    const stamp = { inode: 1, creationTime: 0, modificationTime: 0 };
    const dir = newDir(stamp);
    const file = {
      kind: 'file',
      size: 1,
      version: 1,
      etag: 'e',
      crc64: '0',
      contentType: 'text/plain',
      ...stamp,
    } as const;
    dir.children.set('1.jpg', { ...file });
    expect(freeName(dir, '1.jpg', 'file')).toBe('1 (1).jpg');
    dir.children.set('1 (1).jpg', { ...file });
    dir.children.set('1 (3).jpg', { ...file });
    expect(freeName(dir, '1.jpg', 'file')).toBe('1 (2).jpg');
    dir.children.set('1 (2).jpg', { ...file });
    expect(freeName(dir, '1.jpg', 'file')).toBe('1 (4).jpg');
    expect(freeName(dir, '1.jpg', 'file', 3)).toBeUndefined();
  });
});

describe('smh paths and periods', () => {
  it('tolerates extra slashes', () => {
    expect(toSegments('/foo//bar/')).toEqual(['foo', 'bar']);
    expect(toSegments('')).toEqual([]);
  });

  it('clamps the token period to 300..315360000 with 86400 as default', () => {
    expect(clampPeriod(undefined)).toBe(86_400);
    expect(clampPeriod(10)).toBe(300);
    expect(clampPeriod(1200)).toBe(1200);
    expect(clampPeriod(1e12)).toBe(315_360_000);
  });
});
