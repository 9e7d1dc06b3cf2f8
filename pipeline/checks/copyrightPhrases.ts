// The phrase lists of the copyright-text classifier: statements of freedom (masked first) and restrictions.

export type Rule = { id: string; re: RegExp };

// Words that turn a statement of freedom around ("not in the public domain").
const NOT = String.raw`(?<!\bnot\s(?:in\s)?(?:the\s)?)(?<!\bno\slonger\s(?:in\s)?(?:the\s)?)`;

/**
 * Statements that grant freedom. Their spans are blanked before restrictions are matched, so the
 * "rights reserved" inside "no rights reserved" or the "copyright" in "copyright-free" cannot fire.
 */
export const FREEDOM: Rule[] = [
  { id: 'no_known_restrictions', re: /no\s+known\s+copyright\s+restrictions?/giu },
  { id: 'no_rights_reserved', re: /\bno\s+rights\s+reserved\b/giu },
  {
    id: 'copyright_status_free',
    re: /\bcopyright\s+(?:status|info(?:rmation)?)\s*[:\-–—]\s*(?:public\s+domain|none|no\s+known[^.\n]*|not\s+copyrighted|cc0)/giu,
  },
  {
    id: 'public_domain',
    re: new RegExp(
      String.raw`${NOT}\b(?:in\s+the\s+)?public[\s-]+domain(?:\s+(?:mark|dedication|work|image|photo))?(?:\s+\d(?:\.\d)?)?`,
      'giu',
    ),
  },
  {
    id: 'cc0',
    re: /\bcc[\s-]?0(?:\s+1\.0)?(?:\s+universal)?(?:\s+public\s+domain\s+dedication)?|\bcc[\s-]?zero\b|\bcreative\s+commons\s+zero\b/giu,
  },
  {
    id: 'copyright_free',
    re: /\b(?:copyright|rights)[\s-]*free\b|\bfree\s+of\s+(?:any\s+)?(?:copyright|rights)\b|\bno\s+copyright\b|\bnot\s+copyrighted\b|\bwithout\s+copyright\b|\bcopyright\s+(?:has\s+)?expired\b|\bout\s+of\s+copyright\b|\bno\s+restrictions?\b/giu,
  },
  {
    id: 'copyrightfree_tag',
    re: /\b(?:copyrightfree|nocopyright|publicdomain|nokncopyright|noknowncopyrightrestrictions|norightsreserved)\b/giu,
  },
  { id: 'us_gov_work', re: /\b(?:united\s+states|u\.?s\.?)\s+government\s+work\b/giu },
  {
    id: 'free_to_use',
    re: /\b(?:free\s+to\s+use|use\s+(?:it\s+)?freely|free\s+for\s+(?:any|commercial)\s+use|no\s+(?:permission|attribution)\s+(?:is\s+)?(?:needed|required))\b|\bwithout\s+(?:asking\s+)?(?:for\s+)?permission\b(?=[^.\n]*\b(?:free|welcome|ok)\b)/giu,
  },
  {
    id: 'fr_domaine_public',
    re: new RegExp(String.raw`${NOT}\bdomaine\s+public\b|\blibre\s+de\s+tout\s+droit\b`, 'giu'),
  },
  {
    id: 'de_gemeinfrei',
    re: /\bgemeinfrei\b|\bfrei\s+von\s+urheberrecht\w*|\bkeine\s+rechte\s+vorbehalten\b/giu,
  },
  {
    id: 'es_pt_dominio_publico',
    re: /\bdom[ií]nio\s+p[uú]blico\b|\bdominio\s+p[uú]blico\b|\bsin\s+derechos\s+reservados\b|\bsem\s+direitos\s+reservados\b/giu,
  },
  {
    id: 'it_pubblico_dominio',
    re: /\bpubblico\s+dominio\b|\bdominio\s+pubblico\b|\bnessun\s+diritto\s+riservato\b/giu,
  },
  { id: 'nl_publiek_domein', re: /\bpubliek\s+domein\b|\bgeen\s+rechten\s+voorbehouden\b/giu },
  { id: 'ja_public_domain', re: /パブリック・?ドメイン|著作権フリー|著作権なし|著作権切れ/gu },
  {
    id: 'zh_public_domain',
    re: /公有领域|公共领域|公有領域|公共領域|无版权|無版權|版权免费|不保留任何权利/gu,
  },
];

/** Restrictions. Each rule is matched on the freedom-masked text; the first match of each rule is evidence. */
export const RESTRICTION: Rule[] = [
  { id: 'all_rights_reserved', re: /\ball\s+rights?\s+reserved\b|\ballrightsreserved\b/giu },
  { id: 'not_public_domain', re: /\b(?:not|no\s+longer)\s+(?:in\s+the\s+)?public[\s-]+domain\b/giu },
  { id: 'some_rights_reserved', re: /\bsome\s+rights\s+reserved\b/giu },
  { id: 'rights_reserved', re: /(?<!\bno\s)\b(?:rights|copyright)\s+reserved\b/giu },
  { id: 'copyright_symbol', re: /©\s*(?:\d{4}|\p{L}|@)[^\n.;|]{0,60}/giu },
  // Case-sensitive on purpose: "(c) 2019" or "(C) Jane" but not the "(c)" of an enumeration.
  { id: 'copyright_c', re: /\([cC]\)\s*(?:\d{4}|\p{Lu}|@)[^\n.;|]{0,60}/gu },
  {
    id: 'copyright_word',
    re: /\b(?:[Cc]opyright|COPYRIGHT)(?:ed)?\b(?:\s*(?:©|\([cC]\)))?\s*(?:[Bb]y\s+)?(?::\s*)?(?:\d{4}|\p{Lu}|@)[^\n.;|]{0,60}/gu,
  },
  {
    id: 'copyrighted',
    re: /\bcopyrighted\b|\bprotected\s+by\s+copyright\b|\bunder\s+copyright\b|\bcopyright\s+(?:of|belongs\s+to|owned\s+by|holder\s*:)\s/giu,
  },
  {
    id: 'without_permission',
    re: /\b(?:without|w\/o)\s+(?:my\s+|our\s+|the\s+author'?s?\s+|the\s+photographer'?s?\s+)?(?:express\s+|prior\s+|written\s+|explicit\s+)*(?:written\s+)?(?:permission|consent|authori[sz]ation)\b/giu,
  },
  {
    id: 'do_not_use',
    re: /\b(?:do\s+not|don'?t|please\s+don'?t|may\s+not|must\s+not|cannot|can'?t)\s+(?:be\s+)?(?:use|used|copy|copied|reproduce|reproduced|download|downloaded|publish|published|repost|reposted|distribute|distributed|share|redistribute|redistributed)\b/giu,
  },
  {
    id: 'permission_required',
    re: /\b(?:permission|authori[sz]ation)\s+(?:is\s+)?(?:required|needed|necessary)\b|\bask\s+(?:me\s+)?(?:for\s+)?permission\b|\bcontact\s+(?:me|us|the\s+author|[\p{Lu}][\p{L}]+(?:\s+[\p{Lu}][\p{L}]+)?)\s+(?:for|about|regarding)\s+(?:licen[cs]ing|permission|usage|use|rights)\b|\bfor\s+licen[cs]ing\b|\busage\s+rights\b|\bused\s+with\s+permission\b|\brights[\s-]managed\b/giu,
  },
  {
    id: 'non_commercial',
    re: /\b(?:not|never)\s+for\s+commercial\s+(?:use|purposes)\b|\bno\s+commercial\s+use\b|\bnon[\s-]?commercial\s+(?:use\s+)?only\b|\bcommercial\s+use\s+(?:is\s+)?(?:prohibited|forbidden|not\s+(?:allowed|permitted))\b|\bnotforcommercialuse\b|\bnocommercialuse\b|\bpersonal\s+use\s+only\b/giu,
  },
  {
    id: 'prohibited',
    re: /\b(?:reproduction|redistribution|copying|use|reuse|publication)\s+(?:is\s+)?(?:strictly\s+)?(?:prohibited|forbidden|not\s+(?:allowed|permitted))\b|\bunauthori[sz]ed\s+(?:use|reproduction|copying)\b|\bmay\s+not\s+be\s+(?:reproduced|used|copied)\b/giu,
  },
  {
    id: 'cc_license',
    re: /\b(?:licen[cs]ed\s+under\s+(?:a\s+|the\s+)?)?(?:cc|creative\s+commons)[\s-]+(?:by|attribution)(?:[\s-]+(?:nc|sa|nd|non[\s-]?commercial|share[\s-]?alike|no[\s-]?derivatives?|no[\s-]?derivs))*(?:[\s-]+\d\.\d)?\b|\blicen[cs]ed\s+under\s+(?:a\s+|the\s+)?(?:cc|creative\s+commons)\b(?![\s-]*(?:0|zero))|\b(?:by-nc|by-sa|by-nd|by-nc-sa|by-nc-nd)\b/giu,
  },
  // French, German, Spanish, Italian, Portuguese, Dutch.
  {
    id: 'fr',
    re: /\btous\s+droits\s+r[ée]serv[ée]s\b|\breproduction\s+interdite\b|\bsans\s+(?:mon\s+|notre\s+)?(?:autorisation|accord|permission)\b|\butilisation\s+commerciale\s+interdite\b|\bpas\s+d'utilisation\s+commerciale\b|\bne\s+pas\s+(?:utiliser|copier|reproduire)\b/giu,
  },
  {
    id: 'de',
    re: /\balle\s+rechte\s+vorbehalten\b|\bohne\s+(?:meine\s+|unsere\s+)?(?:ausdr[üu]ckliche\s+|schriftliche\s+|vorherige\s+)*(?:genehmigung|erlaubnis|zustimmung)\b|\bnur\s+mit\s+(?:schriftlicher\s+)?(?:genehmigung|erlaubnis)\b|\bkeine\s+kommerzielle\s+nutzung\b|\burheberrechtlich\s+gesch[üu]tzt\b|\bnicht\s+(?:gestattet|erlaubt)\b/giu,
  },
  {
    id: 'es',
    re: /\btodos\s+los\s+derechos\s+reservados\b|\bderechos\s+reservados\b|\bprohibid[ao]\s+(?:su\s+|la\s+)?(?:reproducci[oó]n|uso|copia)\b|\bsin\s+(?:mi\s+|nuestro\s+)?(?:permiso|autorizaci[oó]n|consentimiento)\b|\bno\s+usar\s+sin\b/giu,
  },
  {
    id: 'it',
    re: /\btutti\s+i\s+diritti\s+riservati\b|\bvietat[ao]\s+(?:la\s+)?(?:riproduzione|copia|l'uso)\b|\bsenza\s+(?:il\s+mio\s+|mio\s+)?(?:autorizzazione|permesso|consenso)\b|\briproduzione\s+vietata\b/giu,
  },
  {
    id: 'pt',
    re: /\btodos\s+os\s+direitos\s+reservados\b|\bdireitos\s+reservados\b|\bproibid[ao]\s+(?:a\s+)?(?:reprodu[çc][ãa]o|c[óo]pia|uso)\b|\bsem\s+(?:minha\s+|a\s+minha\s+)?(?:autoriza[çc][ãa]o|permiss[ãa]o)\b/giu,
  },
  {
    id: 'nl',
    re: /\balle\s+rechten\s+voorbehouden\b|\bzonder\s+(?:mijn\s+|onze\s+)?(?:schriftelijke\s+)?(?:toestemming|goedkeuring)\b|\bniet\s+voor\s+commercieel\s+gebruik\b|\bauteursrechtelijk\s+beschermd\b/giu,
  },
  // Japanese and Chinese (no word boundaries in these scripts).
  {
    id: 'ja',
    re: /無断(?:転載|使用|複製|利用|転用)|転載(?:禁止|を禁じ|はご遠慮)|(?:複製|使用|利用)禁止|商用(?:利用)?(?:不可|禁止)|著作権は[^。\n]{1,30}(?:に帰属|が所有|にあります)/gu,
  },
  {
    id: 'zh',
    re: /版[权權]所有|保留所有[权權]利|未[经經](?:许可|許可|授权|授權|同意)|(?:禁止|严禁|嚴禁|请勿|請勿)(?:转载|轉載|商用|使用|复制|複製)|翻印必究|侵[权權]必究|著作[权權]所有/gu,
  },
];
