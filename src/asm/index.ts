// The assembler, image format, listing and disassembler.

export { assemble, assembleFile, type AssembleOptions, type AssembleResult } from './assembler.js';
export { formatAsmError, MAX_ERRORS, type AsmError } from './errors.js';
export {
  findSymbol, ImageFormatError, labelsAt, lineAt, parseImage, serializeImage, symbolAt, symbolNameAt,
  type Image, type ImageLine, type ImageSegment, type ImageSymbol, type SymbolSource,
} from './image.js';
export { formatListing, type ListingLine } from './listing.js';
export { disassembleImage, disassembleLines, disassembleParts, disassembleWord } from './disasm.js';
export { syntaxText } from './operands.js';
