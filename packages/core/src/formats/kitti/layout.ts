/** Where KITTI keeps things (Datumaro's KittiPath), per subset folder. */
export const IMAGES_DIR = 'image_2';
export const INSTANCES_DIR = 'instance';
export const LABELS_DIR = 'label_2';
export const SEMANTIC_RGB_DIR = 'semantic_rgb';
export const SEMANTIC_DIR = 'semantic';
/** Datumaro's default image extension for KITTI items whose name has none. */
export const IMAGE_EXT = '.png';
