/** Sift's version, as in package.json (a test keeps them in step). */
export const SIFT_VERSION = '0.1.0';
/** Sift's homepage, as in package.json. */
export const SIFT_HOMEPAGE = 'https://github.com/sift-news/sift';

/** `User-Agent: Sift/<version> (+<homepage>)`, so publishers can see who polls them and why. */
export const USER_AGENT = `Sift/${SIFT_VERSION} (+${SIFT_HOMEPAGE})`;
