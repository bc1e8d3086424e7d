/** Where MOTS PNG keeps things (Datumaro's MotsPath), per subset folder. */
export const MASKS_DIR = 'instances';
export const IMAGES_DIR = 'images';
export const LABELS_FILE = 'labels.txt';
export const IMAGE_EXT = '.jpg';
/** A pixel is class * 1000 + instance; classes count from 1 over labels.txt. */
export const MAX_INSTANCES = 1000;
