/**
 * General English word lists, in one place: every stage that needs to know a stopword, a speech
 * verb, a pronoun, a month or an honorific reads it here. Nothing in this file comes from any
 * collection; a list grows only with words of the language. Names say what a list matches.
 */

/** Common English function words, plus question words: they carry no topic. */
export const STOPWORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by
can could did do does doing down during each few for from further had has have having he her here hers herself him himself
his how i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours
ourselves out over own same she should so some such than that the their theirs them themselves then there these they this
those through to too under until up very was we were what when where which while who whom whose why will with would you
your yours yourself yourselves s t don doesn didn isn wasn aren weren won wouldn shouldn couldn also said says say tell
told get got give gave given make made many much may might must shall one ones us let lets like well even ever yet still
whether according according upon via per within without among across`.split(/\s+/),
);

/** A verb (or phrase) that reports speech, in the forms news uses: "said", "told", "according to". */
export const SPEECH_VERB =
  /\b(?:said|says|told|tells|added|adds|stated|states|wrote|writes|insisted|argued|noted|warned|explained|declared|continued|responded|replied|claimed|announced|stressed|remarked|acknowledged|admitted|emphasi[sz]ed|urged|according to)\b/i;

/** Verbs of saying and asking whose object is the one spoken to ("told Reyes", "called on Hale"), as a regex alternation. */
export const ADDRESSEE_VERBS =
  'told|tells?|asked|asks?|urged|urges?|called on|calls? on|warned|warns?|accused|accuses?|critici[sz]ed|critici[sz]es?|thanked|thanks|reminded|reminds?|pressed|presses|lobbied|lobbies|wrote to|writes to|appealed to|appeals to|pleaded with|pleads with|blamed|blames?|praised|praises?';

/** Verbs of saying, asking and demanding, in any form (general English): what a question asks someone said. */
export const SPEECH_ACT =
  /\b(?:sa(?:y|ys|id)|t(?:ell|ells|old)|demand|warn|propos|offer|urg|argu|claim|ask|call(?:ed|s)? (?:for|on)|predict|promis|caution|complain|suggest|insist|recommend|accus|den(?:y|ied|ies)|conced|acknowledg|admit|stress|add(?:s|ed)?\b|not(?:e|es|ed)\b|explain|announc|declar|repl(?:y|ied|ies)|respond|wr(?:ite|ites|ote)|describ|criticis|criticiz|reject|vow|pledg|threaten|appeal|plead|object)\w*/i;

/**
 * Kinds of act a question may ask someone did, each a few verbs (and nouns) that say it: asked
 * what someone demanded, a sentence in which they need or insist on something answers it.
 */
export const ACT_KIND_WORDS: readonly string[] = [
  'demand demands need needs require insist want seek urge',
  'warn warning caution threaten threat risk danger fear',
  'propose proposal suggest suggestion offer recommend recommendation plan',
  'promise pledge vow commit',
  'predict prediction expect forecast anticipate',
  'deny denial reject dismiss refuse',
  'accuse blame criticise criticize condemn',
  'admit acknowledge concede',
];

/** Third-person pronouns that point back to a person: he, she, him, his, her… */
export const THIRD_PERSON_PRONOUN = /\b(?:he|she|him|his|her|hers|himself|herself)\b/i;

/**
 * First- and second-person words (I, my, we, our, you…): comments, promos and "about us" blurbs use
 * them, reported news outside its quotations does not. Case matters: "US" is a country, "i" is not a word.
 */
export const FIRST_SECOND_PERSON = /\b(?:I|[Mm]y|[Mm]e|[Ww]e|[Oo]ur|us|[Yy]ou|[Yy]our)\b/;

/** "Mr", "Dr": honorifics right before a name (the name follows the match). */
export const HONORIFIC_BEFORE = /\b(?:mr|mrs|ms|miss|dr|prof|professor|sir|dame|lord|lady)\.?\s+$/i;

/** A people's or language's adjective: "Norwegian", "Nigerian", "Chinese", "British", "Icelandic". */
export const DEMONYM = /^\p{L}{4,}(?:ian|ean|an|ese|ish|ic|i)$/u;

/**
 * Abbreviations after which a sentence segmenter wrongly breaks ("U.S. Department", "Mr. Smith",
 * "Jan. 5"), matched at the end of the text before a break.
 */
export const ABBREVIATION_AT_END =
  /(?:\b(?:\p{Lu}\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Lt|Col|Maj|Sgt|Capt|Adm|Cmdr|Sen|Rep|Gov|Pres|Rev|Hon|St|Mt|Ft|Jr|Sr|Inc|Co|Corp|Ltd|Bros|No|Nos|vs|etc|approx|Dept|Univ|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|a\.m|p\.m)\.)$/u;

/** Month names and their abbreviations, as a regex alternation (lower case; use with the `i` flag). */
export const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';
/** A month by its first three letters, maybe spelled out or with a full stop ("Sept.", "March"): a regex group. */
export const MONTH_NAME = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
/** Weekdays and the days next to today, as a regex alternation. */
export const DAYS = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|yesterday|tomorrow';
/** Numbers written as words, as a regex alternation. */
export const NUMBER_WORDS =
  'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozen|dozens|hundred|hundreds|thousand|thousands|million|millions|billion|billions|half|double|twice';
/** The tens in words, as a regex alternation ("thirty" of "thirty-eight"). */
export const TENS = 'twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety';
/** Nouns that count things of any kind ("19 individuals", "58,000 rental units"). */
export const GENERIC_COUNT_NOUNS = 'individuals units specimens examples instances cases items';
/** Words that name a sum of money, as a regex group. */
export const MONEY_WORD =
  '(?:cost|costs|costing|price|priced|paid|pay|pays|spend|spent|worth|fee|fees|budget|fine[ds]?|salary|salaries|wage|wages|charge[ds]?)';

/**
 * Nouns that stand for a person already named (for a follow-up's "the minister", "the coach"): titles, offices and
 * roles of general English, singular.
 */
export const PERSON_NOUN = new Set(
  `minister president chairman chairwoman chair director spokesman spokeswoman spokesperson secretary chief executive
leader mayor governor senator premier chancellor ambassador envoy diplomat official officer manager coach captain
founder owner professor judge councillor councilor commissioner deputy head ceo king queen prince princess author writer
scientist researcher analyst expert economist player singer actor artist candidate lawyer doctor general man woman`.split(
    /\s+/,
  ),
);

/** Nouns that stand for a body or place already named (a follow-up's "the company", "the council"), singular. */
export const BODY_NOUN = new Set(
  `company firm group organisation organization agency ministry government council committee board club alliance
union party country nation city town state bank court department university school team administration authority
commission federation association institute bloc coalition region province`.split(/\s+/),
);
/**
 * Irregular past forms and plurals of general English, each with its base form: the stemmer
 * cannot meet "paid" with "pay" or "lost" with "lose". Only forms that are rarely another word
 * are listed ("ground", "drug", "crew", "rent", "wound", "saw" are left out: they are nouns too).
 */
export const IRREGULAR_FORMS: ReadonlyMap<string, string> = new Map(
  `paid pay|lost lose|went go|gone go|took take|taken take|sold sell|bought buy|won win|brought bring|built build
caught catch|chose choose|chosen choose|came come|dealt deal|drew draw|drawn draw|drove drive|driven drive|ate eat
eaten eat|fell fall|fallen fall|fed feed|felt feel|fought fight|fled flee|flew fly|flown fly|forgot forget
forgotten forget|froze freeze|frozen freeze|gave give|given give|got get|gotten get|grew grow|grown grow|held hold
kept keep|knew know|known know|laid lay|led lead|lent lend|made make|meant mean|met meet|ran run|rose rise
risen rise|sought seek|sent send|shook shake|shaken shake|shown show|sank sink|sunk sink|sat sit|slept sleep
spoke speak|spoken speak|spent spend|stood stand|stole steal|stolen steal|stuck stick|struck strike|stricken strike
swore swear|sworn swear|taught teach|tore tear|torn tear|threw throw|thrown throw|woke wake|wore wear|worn wear
wrote write|written write|began begin|begun begin|broke break|broken break|blew blow|blown blow|hid hide
hidden hide|left leave|found find|withdrew withdraw|withdrawn withdraw|overtook overtake|overtaken overtake
undertook undertake|undertaken undertake|forbade forbid|forbidden forbid|forgave forgive|forgiven forgive
arose arise|arisen arise|bore bear|borne bear|awoke awake|awoken awake|beaten beat|bent bend|bled bleed
bred breed|burnt burn|clung cling|crept creep|dug dig|dreamt dream|drank drink|drunk drink|flung fling|hung hang
heard hear|knelt kneel|leant lean|leapt leap|learnt learn|rode ride|ridden ride|rang ring|rung ring|sped speed
spilt spill|spun spin|spat spit|sprang spring|sprung spring|stank stink|stunk stink|strode stride|strove strive
striven strive|swept sweep|swollen swell|swam swim|swum swim|swung swing|trod tread|trodden tread|wove weave
woven weave|wept weep|wrung wring|shrank shrink|shrunk shrink|slid slide|slung sling|smelt smell|sang sing
sung sing|shone shine|slain slay|slew slay|sewn sew|sown sow|mown mow|shorn shear|bitten bite|lit light
forsook forsake|forsaken forsake|overcame overcome|mistook mistake|mistaken mistake|misled mislead
men man|women woman|children child`
    .split(/[|\n]/)
    .map((pair) => pair.trim().split(' ') as [string, string]),
);

/**
 * Words that name the kind of answer a question asks for, by kind ("what did it cost", "what year",
 * "where is it located"): a sentence that holds an answer of that kind holds them too.
 */
export const ANSWER_KIND_WORDS: Readonly<Record<'money' | 'number' | 'time' | 'place' | 'person', string>> = {
  money:
    'cost costs costing price priced pay pays paid paying spend spent spending worth charge charged amount sum money',
  number: 'number numbers amount total figure count many much',
  time: 'date year day month time week decade century',
  place: 'place location located situated site based where',
  person: 'person people name',
};

/** Units of time and of length, singular and plural, as regex alternations (use with the `i` flag). */
export const TIME_UNITS = 'seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|century';
export const LENGTH_UNITS =
  'millimet(?:re|er)s?|centimet(?:re|er)s?|met(?:re|er)s?|kilomet(?:re|er)s?|mm|cm|m|km|inch(?:es)?|f(?:oo|ee)t|ft|yards?|miles?';
