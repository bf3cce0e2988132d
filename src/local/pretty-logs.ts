// Imported first by `npm start`, before any module makes its logger: a person at a terminal reads
// coloured lines rather than JSON. LOG_FORMAT=json keeps JSON.
process.env.LOG_FORMAT ??= 'pretty';

export {};
