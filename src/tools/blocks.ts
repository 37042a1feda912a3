// Generated blocks inside hand-written Markdown: the text between
//   <!-- generated: NAME (npm run gen) -->
//   <!-- end of NAME -->
// is written by `npm run gen`; everything around it is prose that people edit.

function markers(name: string): [string, string] {
  return [`<!-- generated: ${name} (npm run gen) -->`, `<!-- end of ${name} -->`];
}

/** The generated block called `name` of a document, or undefined if its markers are missing. */
export function docBlock(doc: string, name: string): string | undefined {
  const [begin, end] = markers(name);
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return undefined;
  return doc.slice(i + begin.length + 1, j);
}

/** The document with each named block replaced; throws if a block's markers are missing. */
export function replaceBlocks(doc: string, path: string, blocks: Readonly<Record<string, string>>): string {
  for (const [name, content] of Object.entries(blocks)) {
    const [begin, end] = markers(name);
    const i = doc.indexOf(begin);
    const j = doc.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${path} has no markers for the generated block '${name}': ${begin} ... ${end}`);
    doc = `${doc.slice(0, i + begin.length)}\n${content}${doc.slice(j)}`;
  }
  return doc;
}
