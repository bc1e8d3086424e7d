/**
 * Test pictures drawn from SVG by sharp (the server's image library), so tests carry no binary
 * fixtures and each picture is recognisable in a screenshot.
 */
import sharp from 'sharp';

export async function makePicture(index: number, width = 800, height = 600): Promise<Buffer> {
  const hue = (index * 67) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="hsl(${hue},55%,70%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360},45%,35%)"/>
    </linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <rect x="${120 + index * 20}" y="140" width="220" height="160" fill="hsl(${(hue + 180) % 360},60%,50%)" stroke="#222" stroke-width="4"/>
    <circle cx="${560 - index * 15}" cy="380" r="90" fill="hsl(${(hue + 90) % 360},60%,55%)" stroke="#222" stroke-width="4"/>
    <text x="30" y="${height - 30}" font-family="DejaVu Sans, sans-serif" font-size="42" fill="#fff">frame ${index}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
