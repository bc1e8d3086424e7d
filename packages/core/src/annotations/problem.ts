/** One thing wrong with submitted annotations; `path` names the field as the client wrote it (`tracks[0].shapes[2].frame`). */
export interface Problem {
  path: string;
  message: string;
}
