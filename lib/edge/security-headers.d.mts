export declare const SECURITY_HEADERS: { key: string; value: string }[];
export declare const NON_PAGE_CSP: string;
export declare function pageCsp(nonce: string, options?: { dev?: boolean; https?: boolean }): string;
