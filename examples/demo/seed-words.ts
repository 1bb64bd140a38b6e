// Word lists for the demo data: accents, apostrophes, CJK and emoji on purpose, so that the
// migration and both apps are exercised on the text real users type.

export const FIRST_NAMES = [
  'Anna', 'Zoë', 'Łukasz', 'Chloé', 'Søren', 'Mei', 'Yuki', 'Oluwaseun', 'José', 'Émilie', 'Noah', 'Liam',
  'Fatima', 'Aarav', 'Ingrid', 'Mateo', 'Sofía', 'Nikolai', 'Amara', 'Kai', 'Léa', 'Jonas', 'Priya', 'Tomás',
  'Hana', 'Omar', 'Björn', 'Camille', 'Diego', 'Elif', 'Grace', 'Hugo', 'Isabela', 'Jin', 'Katarzyna', 'Lucas',
];

export const LAST_NAMES = [
  'Kowalski', 'Nguyễn', 'Müller', "O'Brien", 'García', 'Dubois', 'Østergaard', 'Smith', 'Tanaka', 'Adeyemi',
  'Rossi', 'Novák', 'Silva', 'Andersson', 'Kim', 'Patel', 'Ivanova', 'Schmidt', 'Moreau', 'Van der Berg',
  'Çelik', 'Haddad', 'Larsen', 'Martínez', 'Okafor', 'Papadopoulos', 'Wang', 'Zieliński', 'Lefèvre', 'Brown',
];

export const CITIES = [
  'Lyon', 'Berlin', 'Kraków', 'Lisboa', 'København', 'Montréal', 'São Paulo', 'Zürich', 'München', 'Malmö',
  'Barcelona', 'Amsterdam', 'Tokyo', 'Seoul', 'Lagos', 'Wien', 'Praha', 'Dublin', 'Oslo', 'Reykjavík',
];

export const BIOS = [
  'Coffee first, then mountains ☕⛰️',
  'New in town, looking for running buddies 🏃‍♀️',
  'Board games, bad puns and good bread.',
  'Ich spiele Gitarre und koche gern 🎸',
  'Climbing 6a, dreaming of 7a. Belay partner wanted!',
  '写真と旅行が好きです 📷',
  'Dog person 🐕 — cat tolerant.',
  'Say "hi" if you like jazz & <b>loud</b> concerts',
  'Weekend hiker, weekday coder. C:\\Users\\me is my home.',
  'Vegan 🌱 baker; will trade cookies for company.',
];

export const ACTIVITY_KINDS = [
  'Sunset run', 'Bouldering session', 'Board game night', 'Picnic in the park', 'Museum visit', 'Pub quiz',
  'Language exchange', 'Cycling tour', 'Pottery class', 'Karaoke', 'Beach volleyball', 'Book club', 'Cooking together',
  'Photo walk', 'Yoga by the river', 'Open-air cinema', 'Salsa night', 'Hike & picnic',
];

export const DESCRIPTIONS = [
  'All levels welcome — we keep it relaxed. Bring water and good vibes.',
  "First time? Perfect. We'll meet at the entrance 10 minutes before.",
  'We split costs on the spot. Message the chat if you are running late ⏰',
  'Rain or shine 🌦️ (if it pours we move indoors, see the chat).',
  'Beginners paired with someone who has done it before.',
];

export const MESSAGES = [
  'Hi all! 👋', 'Who is coming tonight?', 'Running 5 min late, sorry!', 'See you there 😊', 'Can someone bring a ball?',
  'Where exactly do we meet?', 'At the big fountain 📍', 'Thanks for organising 🙏', 'That was fun, again next week?',
  'I can drive two people 🚗', "It's raining… still on?", 'Yes, still on!', 'Bring cash for the entry (5 €)',
  'Ça marche 👍', 'Bis später!', '了解です！', 'Haha 😂', 'Photos are up: https://example.test/album/42',
  'Quote of the day: "less talk, more climb"', 'Has anyone seen my jacket? 🧥', 'Count me in', 'Sadly I have to skip 😢',
];

export const LINK_SITES = ['instagram', 'strava', 'website', 'mastodon'] as const;
