/**
 * The README that travels with every evidence bundle Tamga writes — the web app's ZIP, a books
 * diff's ZIP, and `tamga evidence -o FOLDER` — in English, Russian and Kyrgyz: what each part
 * is, and how to check it against the union's published trust statement.
 */

/**
 * Returns the README of a bundle whose keys have the fingerprint `fingerprint`. It says how to
 * check the bundle against the union's published trust statement, and gives the fingerprint only
 * to compare: a bundle never carries the statement it is to be checked against.
 */
export function evidenceReadme(fingerprint: string | null): string {
  const keys =
    fingerprint === null
      ? ''
      : `
The keys in this bundle have the fingerprint

    ${fingerprint}

Compare it with the fingerprint the union published: if they differ, these are not the
union's keys, and the bundle proves nothing about the union.
`;
  return `Tamga evidence bundle
=====================

evidence.json   the disclosed records, with their salts, inclusion proofs, the cosigned
                checkpoint, and the keys and witness policy they were sealed under
files/          the disclosed files (when included), each named by the start of its
                SHA-256 and the name it was sealed under
proofs/         each record's proof alone, as a standard c2sp.org/tlog-proof file that
                any transparency-log client can check with the log's and witnesses' keys
verifier.html   the offline verifier: open it in a browser (no network needed), paste the
                union's trust statement, then drop evidence.json and the files on it
diff-report.*   when the bundle comes from a comparison of a presented ledger with the
                books: the report of the differences, as text and as JSON

How to check it
---------------
Anyone can make a bundle with keys of their own. This one proves that its records are the
union's, and since when they existed, only when it is checked against the trust statement the
union published beforehand: on its website, in print, in its complaint to the ILO, or from a
person there you trust (the union's administrator prints it with: tamga trust). Get the
statement from the union, not from whoever sent you this bundle. Then either

  open verifier.html, paste the statement (or choose its file), and drop this folder (or
  the ZIP archive it came in) on it; or
  tamga check-evidence --trust trust.txt evidence.json files/*
    (trust.txt: the statement you got from the union; give the ZIP archive instead of
    evidence.json and files/* to check it without unpacking it)
${keys}
Checked without the statement, the verdict is UNCONFIRMED and states no date. Checked against
it, a record that verifies existed no later than the earliest cosignature on the checkpoint by a
witness of the union's policy: that is the time the verdict states.

Свидетельство Tamga. Получите у профсоюза его заявление о доверии (с сайта, из печати или от
человека, которому вы доверяете), откройте verifier.html в браузере (без сети), вставьте
заявление и перетащите в него evidence.json и файлы; или выполните
tamga check-evidence --trust trust.txt evidence.json files/*
Без заявления результат — НЕ ПОДТВЕРЖДЕНО, без даты. Отпечаток ключей пакета указан выше:
сравните его с отпечатком, опубликованным профсоюзом.

Tamga далилдери. Союздан анын ишеним билдирүүсүн алыңыз (сайтынан, басма сөздөн же сиз
ишенген адамдан), verifier.html файлын браузерде ачып (тармаксыз), билдирүүнү киргизип,
evidence.json жана файлдарды ага сүйрөп таштаңыз; же
tamga check-evidence --trust trust.txt evidence.json files/* буйругун аткарыңыз.
Билдирүүсүз натыйжа ЫРАСТАЛГАН ЖОК болот, күнү көрсөтүлбөйт. Топтомдун ачкычтарынын изи
жогоруда: аны союз жарыялаган из менен салыштырыңыз.
`;
}
