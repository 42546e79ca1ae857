// kubectl splits a kuberc into YAML documents line by line (apimachinery's YAMLReader), not with a
// YAML parser: a line starting with `---` ends a document, and anything but a comment after the
// dashes is an error that stops reading there. Documents keep their offsets, so that an edit can
// replace one document and leave every other byte of the file as it was.

interface KubercDocument {
  text: string;
  /** Offsets of the document's lines in the file: [start, end). */
  start: number;
  end: number;
}

export interface SplitDocuments {
  /** Non-blank documents, in file order, up to the first bad separator. */
  documents: KubercDocument[];
  /** Set when a separator line carries more than a comment: kubectl stops reading there. */
  error?: string;
}

export function splitDocuments(text: string): SplitDocuments {
  const documents: KubercDocument[] = [];
  let start = 0;
  let offset = 0;
  const finish = (end: number) => {
    const chunk = text.slice(start, end);
    if (chunk.trim() !== '') documents.push({ text: chunk, start, end });
  };
  while (offset < text.length) {
    const newline = text.indexOf('\n', offset);
    const end = newline < 0 ? text.length : newline + 1;
    const line = text.slice(offset, end);
    if (line.startsWith('---')) {
      const rest = line.slice(3).trim();
      // the document before the bad separator is dropped with it, as kubectl does
      if (rest !== '' && !rest.startsWith('#')) {
        return { documents, error: `invalid YAML document separator: ${rest.slice(0, 40)}` };
      }
      finish(offset);
      start = end;
    }
    offset = end;
  }
  finish(text.length);
  return { documents };
}
