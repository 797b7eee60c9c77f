"""The facts of the generated memory conversations: slots, values and phrasings.

A slot is one kind of fact a user tells (their name, their dog's name, where they live ...). Its
templates hold ``{v}`` (the value), ``{q}`` (the slot's qualifier: the pet, the day, the kind of
favourite thing) and ``{a}`` (the article before a job). Every list of values and of user
phrasings has a held-out twin used only for evaluation; :mod:`engine.data.memory` never puts a
held-out value or phrasing into a training conversation, and tests check that the twins are
disjoint. Bot lines (acknowledgements, the target replies) have no twin: they are what the model
learns to say, and evaluation checks the value in whatever the model says.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence, TypeVar

T = tuple[str, ...]
Item = TypeVar("Item")


@dataclass(frozen=True)
class Slot:
    """One kind of fact, with everything needed to tell it, ask it back and answer."""

    name: str  # e.g. "user_name", "favourite_colour"
    topic: str  # how the bot names the fact when it was never told: "your name", "your {q}'s name"
    values: T  # training values
    heldout_values: T  # evaluation values, none of them in any training conversation
    tell: T  # user statements that tell the fact
    heldout_tell: T
    answers: T  # user answers to the bot's question (the fact told as an answer)
    heldout_answers: T
    ask: T  # user questions that ask the fact back
    heldout_ask: T
    state: T  # target replies that state the value
    bot_asks: T  # the bot's question that the user answers
    acks: T  # the bot's reply after being told
    qualifiers: T = ("",)  # the {q} choices; a fact is (slot, qualifier)


# The user's turn before the bot asks for a fact: a greeting at the start, an invitation later.
GREETINGS = ("hi", "hello", "hey!", "hi there", "good morning", "good evening", "hey, how are you?",
             "hello again", "let's chat", "hi! how's it going?", "evening!")
INVITATIONS = ("ask me anything", "what do you want to know about me?", "let's get to know each other",
               "ask me a question", "your turn to ask something", "go on, ask me something about me",
               "i'm bored, ask me something")

# Frames around a training phrasing of a question, so that the model meets each asking in many
# surroundings rather than as a fixed string ({} is the question). Generic conversational wrappers:
# none of them borrows the words of a held-out phrasing.
ASK_FRAMES = ("hey, {}", "so, {}", "ok, {}", "quick question: {}", "by the way, {}", "out of curiosity, {}",
              "let's see if you were listening. {}", "i wonder, {}", "{} i told you before.", "{} i mentioned it earlier.",
              "test time! {}", "hmm, {}", "um, {}", "one more thing: {}", "{} can you answer that?",
              "i'm curious, {}", "{} just checking.", "do you know this one? {}")

# The bot's reply when asked about a fact it was never told; {t} is the slot's topic.
UNTOLD = ("you haven't told me {t} yet.", "i don't know {t}, you never told me.", "you didn't tell me {t}.",
          "i'm not sure, you haven't told me {t}.", "sorry, i don't know {t}, you never said.")
# What marks a reply as declining to state an untold fact (evaluation's abstains_when_untold).
# The state templates never contain these.
ABSTAIN_MARKERS = ("haven't told me", "have not told me", "never told me", "didn't tell me", "did not tell me",
                   "don't know", "do not know", "not sure", "never said")
# The part of them that speaks of telling (chitchat says "i don't know" and "not sure" about anything):
# what marks a reply of the model's as declining for want of being told (engine.tasks.told).
UNTOLD_MARKERS = tuple(marker for marker in ABSTAIN_MARKERS if any(w in marker for w in ("tell", "told", "said")))


def plain(reply: str) -> str:
    """``reply`` in lower case, with straight apostrophes and single spaces, as markers and frames read it."""
    return " ".join(reply.lower().replace("\u2019", "'").split())


def says_any(reply: str, markers: Sequence[str]) -> bool:
    text = plain(reply)
    return any(marker in text for marker in markers)
# A correction: a prefix before the slot's own statement, or a value-only form with {old}.
CORRECTION_PREFIXES = ("actually, ", "sorry, i misspoke. ", "wait, i got that wrong. ", "correction: ",
                       "oops, ", "no wait, ", "let me fix that: ")
CORRECTION_SHORT = ("sorry, i meant {v}, not {old}.", "i said {old} but i meant {v}.", "not {old}, {v}!",
                    "oops, {v}, not {old}.")
CORRECTION_ACKS = ("got it, {v} then.", "okay, thanks for correcting me.", "no problem, noted!",
                   "ah, {v}. thanks for telling me.")

_FIRST_NAMES = (
    "Alice", "Ben", "Carla", "David", "Emma", "Frank", "Grace", "Henry", "Isabel", "Jack", "Karen", "Liam",
    "Maria", "Noah", "Olivia", "Peter", "Rachel", "Sam", "Tina", "Victor", "Wendy", "Zoe", "Anna", "Brian",
    "Chloe", "Daniel", "Ella", "George", "Hannah", "Ivan", "Julia", "Kevin", "Laura", "Mike", "Nina",
    "Oscar", "Paula", "Rosa", "Steve", "Tom", "Ursula", "Vera", "Will", "Amir", "Bea", "Chen", "Diego",
    "Fatima", "Hugo", "Ines", "Jonas", "Kenji", "Leila", "Marco", "Nadia", "Omar", "Priya", "Raj", "Sofia",
    "Yusuf", "Mei", "Lucas", "Sara", "James", "Lily", "Adam", "Eva", "Max", "Ruby", "Leo", "Mia", "Jake",
    "Amelia", "Ethan", "Harper", "Mason", "Aria", "Logan", "Nora", "Ryan", "Layla", "Owen", "Stella", "Kai",
    "Elena", "Pablo", "Ahmed", "Yuki", "Hiro", "Ana", "Luis", "Carmen", "Jose", "Lena", "Felix", "Greta",
    "McKenzie", "DeAndre", "LeBron", "O'Neil", "Jo", "Al", "Ty", "Ed",
)
_PET_NAMES = ("Rex", "Max", "Bella", "Luna", "Charlie", "Buddy", "Coco", "Daisy", "Milo", "Oreo", "Pepper",
              "Rocky", "Shadow", "Simba", "Sunny", "Tiger", "Toby", "Whiskers", "Ziggy", "Biscuit", "Cookie",
              "Fluffy", "Ginger", "Lucky", "Mittens", "Nemo", "Patch", "Peanut", "Pickles", "Sparky", "Spot",
              "Snowball", "Smokey", "Boots", "Bubbles", "Dash", "Fido", "Goldie", "Jasper", "Noodle", "Olive",
              "Pumpkin", "Rusty", "Sox", "Tank", "Waffles", "Zeus", "Apollo", "Maple", "Hazel", "Scout", "K9")
_PLACES = ("Paris", "London", "Berlin", "Madrid", "Rome", "Tokyo", "Boston", "Chicago", "Seattle", "Denver",
           "Toronto", "Sydney", "Dublin", "Lisbon", "Vienna", "Prague", "Oslo", "Miami", "Dallas", "Austin",
           "Atlanta", "Houston", "Phoenix", "Portland", "Glasgow", "Leeds", "Manchester", "Milan", "Naples",
           "Munich", "Hamburg", "Zurich", "Geneva", "Brussels", "Amsterdam", "Stockholm", "Helsinki", "Warsaw",
           "Budapest", "Athens", "Cairo", "Nairobi", "Lagos", "Mumbai", "Delhi", "Seoul", "Beijing", "Shanghai",
           "Bangkok", "Manila", "Lima", "Bogota", "Santiago", "Montreal", "Vancouver", "Ohio", "Texas",
           "California", "Florida", "New York", "San Francisco", "Los Angeles", "New Orleans", "Las Vegas",
           "Mexico City", "Cape Town", "Hong Kong", "Rio de Janeiro", "Buenos Aires", "Kyoto", "Osaka",
           "Canada", "Spain", "Italy", "Japan", "Brazil", "Kenya", "Norway", "Ireland", "Scotland", "Wales")
_JOBS = ("nurse", "teacher", "doctor", "engineer", "lawyer", "chef", "baker", "pilot", "farmer", "plumber",
         "electrician", "programmer", "designer", "writer", "journalist", "dentist", "pharmacist", "accountant",
         "architect", "carpenter", "mechanic", "firefighter", "police officer", "painter", "musician",
         "photographer", "waiter", "cashier", "librarian", "scientist", "student", "professor", "vet",
         "driver", "bus driver", "truck driver", "gardener", "hairdresser", "tailor", "actor", "singer",
         "translator", "receptionist", "manager", "salesman", "soldier", "sailor", "fisherman", "barista",
         "bartender", "cleaner", "cook", "coach", "dancer", "editor", "economist", "optician", "surgeon",
         "web developer", "data analyst", "social worker", "software developer", "paramedic", "midwife")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ACTIVITIES = ("visit my grandmother", "go to the dentist", "play football", "see a movie", "go hiking",
               "bake a cake", "paint the fence", "go swimming", "clean the house", "go shopping",
               "meet my sister", "fly to London", "cook dinner for friends", "go fishing", "study for an exam",
               "fix my bike", "go to a concert", "play tennis", "walk the dog", "visit the museum",
               "go camping", "wash the car", "go to the gym", "read a book", "watch the game",
               "have lunch with my boss", "go to the beach", "plant some trees", "take a yoga class",
               "go dancing", "write my essay", "call my parents", "go to church", "see my doctor",
               "move house", "go skiing", "build a shed", "ride my bike", "go to a wedding", "get a haircut")
_FAVOURITES = {  # category -> (training values, held-out values)
    "colour": (("red", "blue", "green", "yellow", "purple", "orange", "pink", "black", "white", "grey",
                "brown", "gold", "silver", "navy", "teal", "violet", "beige", "turquoise", "lime", "maroon"),
               ("vermilion", "chartreuse", "cerulean", "Pantone 448C", "octarine")),
    "food": (("pizza", "pasta", "sushi", "tacos", "curry", "burgers", "steak", "pancakes", "lasagna", "ramen",
              "salad", "soup", "fried chicken", "ice cream", "chocolate", "noodles", "dumplings", "paella",
              "cheese", "bread", "rice", "burritos", "waffles", "hot dogs", "fish and chips"),
             ("injera", "pierogi", "khachapuri", "Bún chả", "okonomiyaki", "poutine")),
    "fruit": (("apples", "bananas", "oranges", "grapes", "strawberries", "mangoes", "pears", "peaches",
               "cherries", "pineapple", "watermelon", "kiwi", "plums", "lemons", "blueberries", "raspberries"),
              ("rambutan", "durian", "feijoa", "salak", "cherimoya")),
    "animal": (("dogs", "cats", "horses", "lions", "tigers", "elephants", "dolphins", "owls", "wolves", "bears",
                "penguins", "foxes", "rabbits", "monkeys", "giraffes", "sharks", "eagles", "turtles", "koalas"),
               ("axolotls", "pangolins", "quokkas", "okapis", "tardigrades")),
    "sport": (("football", "soccer", "tennis", "basketball", "baseball", "golf", "swimming", "running",
               "cycling", "hockey", "rugby", "cricket", "boxing", "skiing", "volleyball", "surfing", "climbing"),
              ("hurling", "sepak takraw", "kabaddi", "korfball", "Quidditch")),
    "drink": (("coffee", "tea", "water", "milk", "orange juice", "lemonade", "hot chocolate", "beer", "wine",
               "soda", "coke", "smoothies", "apple juice", "iced tea", "cola"),
              ("kvass", "horchata", "7UP", "ayran", "yerba mate")),
    "flower": (("roses", "tulips", "daisies", "lilies", "sunflowers", "orchids", "daffodils", "lavender",
                "violets", "poppies", "peonies"),
               ("frangipani", "protea", "edelweiss", "hellebores")),
    "subject": (("math", "history", "science", "art", "music", "english", "biology", "chemistry", "physics",
                 "geography", "french", "spanish", "drama", "economics", "psychology"),
                ("epistemology", "Ancient Greek", "topology", "CS101")),
}
_PETS = ("dog", "cat", "parrot", "hamster", "rabbit", "turtle", "horse", "lizard", "snake", "ferret")

# Held out: unusual, invented, mixed-case and numbered values, mostly outside any chat vocabulary.
HELDOUT_NAMES = ("Xiomara", "Thaddeus", "Oluwaseun", "Ngozi", "Siobhan", "Zbigniew", "Quillon", "Vashti",
                 "McKellan", "DeShawn", "LaToya", "Ximena", "Bartholomew", "Anouk", "Eero", "Saoirse",
                 "Ptolemy", "Zephyrine", "Dagny", "Ottoline", "Ignatius", "Brunhilde", "Kvothe", "Yevgenia",
                 "Tiberius", "MacAulay", "VanDerBeek", "Jax7", "Mx Orla", "Aoife")
HELDOUT_PETS = ("Gizmo42", "Sir Wagsalot", "Zorp", "Fizzlewick", "BB8", "Mr Pickwick", "Quasar", "Grommit",
                "Kerfuffle", "Blinky3", "Tchaikovsky", "Lord Fluffington", "Nimbus", "Xerxes", "Pip2")
HELDOUT_PLACES = ("Vexmoor", "Quillmere", "Port Kelvane", "Zarnath", "Ulvik", "Thraxbury", "Tórshavn",
                  "Ouagadougou", "Llanfairpwll", "Kyzyl", "Sector 7G", "New Ardmoor", "Lake Vyrnwy", "Brisbane",
                  "Yellowknife", "Ushuaia", "Zanzibar", "Tromsø", "Glenbrook Falls", "Ostrava")
HELDOUT_JOBS = ("glassblower", "cartographer", "farrier", "luthier", "taxidermist", "sommelier",
                "actuary", "cooper", "ROV pilot", "zookeeper", "stonemason", "puppeteer", "blacksmith",
                "beekeeper", "locksmith")
HELDOUT_ACTIVITIES = ("visit Kelvane Abbey", "see the Zorbatron exhibit", "tour Vexmoor castle",
                      "meet Oluwaseun for brunch", "fix the R2 unit", "watch Blorptastic live",
                      "go to Quillmere market", "repaint the gazebo", "learn the theremin",
                      "climb Mount Tzaroth", "renew my passport", "go spelunking")
HELDOUT_AGES = ("17", "29", "36", "48", "53", "61", "74", "82", "97", "103", "108")
TRAIN_AGES = tuple(str(n) for n in range(5, 96) if str(n) not in HELDOUT_AGES)


def _favourite(category: str) -> Slot:
    values, heldout = _FAVOURITES[category]
    return Slot(
        f"favourite_{category}", "your favourite {q}", values, heldout,
        tell=("my favourite {q} is {v}", "{v} is my favourite {q}", "i love {v} more than any other {q}",
              "i really like {v}, it's my favourite {q}", "my favourite {q}? definitely {v}",
              "i think my favourite {q} has to be {v}"),
        heldout_tell=("no {q} beats {v} in my book", "if i had to pick one single {q} it would be {v}"),
        answers=("{v}", "definitely {v}", "i'd say {v}", "{v}, for sure", "probably {v}"),
        heldout_answers=("hands down {v}", "without a shadow of doubt {v}"),
        ask=("what's my favourite {q}?", "what is my favourite {q}?", "which {q} do i like best?",
             "do you remember my favourite {q}?", "what {q} did i say i love?"),
        heldout_ask=("which {q} tops my list?", "name the {q} i prefer above all others"),
        state=("your favourite {q} is {v}.", "you love {v}.", "you said {v} is your favourite {q}.",
               "it's {v}, your favourite {q}."),
        bot_asks=("what's your favourite {q}?", "which {q} do you like best?"),
        acks=("{v} is a great choice!", "good taste!", "i like {v} too.", "why do you like it so much?"),
        qualifiers=(category,))


SLOTS: tuple[Slot, ...] = (
    Slot("user_name", "your name", _FIRST_NAMES, HELDOUT_NAMES,
         tell=("my name is {v}", "i'm {v}", "call me {v}", "you can call me {v}", "hi, i'm {v}",
               "hello, my name's {v}", "the name is {v}", "i am {v}, nice to meet you", "everyone calls me {v}",
               "my friends call me {v}", "i go by {v}", "let me introduce myself, i'm {v}"),
         heldout_tell=("folks around here know me as {v}", "you may address me as {v}",
                       "my parents chose the name {v} for me", "pleased to meet you, i answer to {v}"),
         answers=("{v}", "it's {v}", "i'm {v}", "my name is {v}", "call me {v}", "{v}!"),
         heldout_answers=("they named me {v}", "the one and only {v}"),
         ask=("what is my name?", "what's my name?", "do you remember my name?", "who am i?",
              "what did i say my name was?", "what do you call me?", "do you know my name?",
              "what's my name again?", "can you tell me my name?", "remind me of my name?"),
         heldout_ask=("by what name do i go?", "tell me what i'm called", "which name did i give you?",
                      "how was i introduced to you?"),
         state=("your name is {v}.", "you are {v}.", "you said your name is {v}.", "you're {v}!", "it's {v}."),
         bot_asks=("what's your name?", "what should i call you?", "may i ask your name?", "who am i talking to?"),
         acks=("nice to meet you, {v}!", "nice to meet you!", "hello {v}, how are you?",
               "great to meet you. how's your day going?", "hi {v}!")),
    Slot("friend_name", "your friend's name", _FIRST_NAMES, HELDOUT_NAMES,
         tell=("my best friend is called {v}", "my best friend's name is {v}", "i have a friend named {v}",
               "my friend {v} is visiting me", "i went out with my friend {v} yesterday", "my closest friend is {v}"),
         heldout_tell=("the person i trust most is my pal {v}", "i've known my buddy {v} since kindergarten"),
         answers=("{v}", "it's {v}", "my friend {v}", "{v}, we've known each other for years"),
         heldout_answers=("that would be good old {v}",),
         ask=("what is my friend's name?", "what's my best friend called?", "who is my best friend?",
              "do you remember my friend's name?", "what did i say my friend is called?"),
         heldout_ask=("which pal did i mention?", "the buddy i spoke of, what's their name?"),
         state=("your best friend is {v}.", "your friend is called {v}.", "your friend's name is {v}.",
                "you mentioned your friend {v}."),
         bot_asks=("who is your best friend?", "what's your best friend's name?"),
         acks=("{v} sounds like a good friend.", "it's nice to have a good friend.", "how long have you known {v}?",
               "that's lovely.")),
    Slot("pet_name", "your {q}'s name", _PET_NAMES, HELDOUT_PETS,
         tell=("my {q} is called {v}", "my {q}'s name is {v}", "i have a {q} named {v}", "i've got a {q} called {v}",
               "we named our {q} {v}", "my {q} {v} is sleeping next to me"),
         heldout_tell=("the {q} that lives with me answers to {v}", "i adopted a {q} and gave it the name {v}"),
         answers=("{v}", "it's {v}", "{v}!", "we call it {v}", "his name is {v}", "her name is {v}"),
         heldout_answers=("the little one answers to {v}",),
         ask=("what is my {q}'s name?", "what's my {q} called?", "do you remember my {q}'s name?",
              "what did i name my {q}?", "what's the name of my {q}?"),
         heldout_ask=("how is my {q} named?", "which name did i give my {q}?"),
         state=("your {q} is called {v}.", "your {q}'s name is {v}.", "you named your {q} {v}.",
                "it's {v}, your {q}."),
         bot_asks=("what's your {q}'s name?", "what is your {q} called?", "does your {q} have a name?"),
         acks=("{v} is a lovely name for a {q}!", "aww, i love {q}s.", "how old is {v}?", "that's a cute name."),
         qualifiers=_PETS),
    Slot("home", "where you live", _PLACES, HELDOUT_PLACES,
         tell=("i live in {v}", "my home is in {v}", "i moved to {v} last year", "i've been living in {v} for years",
               "my house is in {v}", "home for me is {v}", "i'm living in {v} now"),
         heldout_tell=("these days i reside in {v}", "i rent a tiny flat in {v}"),
         answers=("{v}", "in {v}", "i live in {v}", "{v}, it's nice there"),
         heldout_answers=("over yonder in {v}",),
         ask=("where do i live?", "do you remember where i live?", "where did i say i live?",
              "what city do i live in?", "where's my home?", "where am i living?"),
         heldout_ask=("in which town do i reside?", "which place did i say i call home?"),
         state=("you live in {v}.", "your home is in {v}.", "you said you live in {v}.", "in {v}."),
         bot_asks=("where do you live?", "where are you based?", "where's home for you?"),
         acks=("{v} sounds like a nice place.", "what do you like about living there?",
               "i've heard good things about {v}.", "oh nice! is it busy there?")),
    Slot("job", "what you do for a living", _JOBS, HELDOUT_JOBS,
         tell=("i work as {a} {v}", "i'm {a} {v}", "i am {a} {v} by trade", "i've been {a} {v} for ten years",
               "i got a job as {a} {v}", "my job? i'm {a} {v}"),
         heldout_tell=("i earn my living as {a} {v}", "my employer hired me as {a} {v}"),
         answers=("i'm {a} {v}", "{a} {v}", "i work as {a} {v}"),
         heldout_answers=("professionally speaking, {a} {v}",),
         ask=("what do i do for a living?", "what's my job?", "what is my job?", "do you remember what i do?",
              "what did i say my job was?", "what's my occupation?"),
         heldout_ask=("how do i earn my money?", "which line of work am i in?"),
         state=("you're {a} {v}.", "you work as {a} {v}.", "you said you're {a} {v}.", "you are {a} {v}."),
         bot_asks=("what do you do for a living?", "what's your job?", "what kind of work do you do?"),
         acks=("being {a} {v} sounds interesting!", "do you enjoy your work?", "that sounds like a demanding job.",
               "how long have you been doing that?")),
    Slot("plan", "your plans for {q}", _ACTIVITIES, HELDOUT_ACTIVITIES,
         tell=("on {q} i'm going to {v}", "i'm going to {v} on {q}", "my plan for {q} is to {v}",
               "i will {v} on {q}", "this {q} i'm going to {v}", "i have to {v} on {q}"),
         heldout_tell=("{q} is booked, i intend to {v}", "come {q}, i shall {v}"),
         answers=("i'm going to {v}", "i'll {v}", "i have to {v}", "i want to {v}"),
         heldout_answers=("the idea is to {v}",),
         ask=("what am i doing on {q}?", "what are my plans for {q}?", "what did i say i'm doing on {q}?",
              "do you remember my plans for {q}?", "what's happening on {q}?"),
         heldout_ask=("what was on my agenda for {q}?", "remind me what i intend for {q}?"),
         state=("you're going to {v} on {q}.", "on {q} you're going to {v}.", "you said you would {v} on {q}.",
                "your plan for {q} is to {v}."),
         bot_asks=("any plans for {q}?", "what are you doing on {q}?"),
         acks=("that sounds like fun!", "good luck with that!", "i hope you enjoy it.", "enjoy your {q}!"),
         qualifiers=_DAYS),
    Slot("age", "how old you are", TRAIN_AGES, HELDOUT_AGES,
         tell=("i'm {v} years old", "i am {v}", "i just turned {v}", "i'm {v}", "my age is {v}",
               "i turned {v} last month"),
         heldout_tell=("i have been alive for {v} years", "{v} candles were on my last birthday cake"),
         answers=("{v}", "i'm {v}", "{v} years old"),
         heldout_answers=("{v} years young",),
         ask=("how old am i?", "what's my age?", "do you remember how old i am?", "what age did i tell you?"),
         heldout_ask=("how many years have i lived?", "what age am i, did i mention it?"),
         state=("you are {v}.", "you're {v} years old.", "you said you're {v}."),
         bot_asks=("how old are you?", "may i ask your age?"),
         acks=("{v} is a great age!", "happy to chat with you!", "nice!", "do you feel {v}?")),
) + tuple(_favourite(category) for category in _FAVOURITES)

SLOT_BY_NAME = {slot.name: slot for slot in SLOTS}
# Things a user may have named, or have a favourite of, that no slot is about: asked in training
# conversations about a fact never told ("what's my boat called?", "which season do i like best?"),
# so that the network learns to match the thing asked about to one told, not to any frame of the
# form "my <thing>" ("which food do i like?" answered "Your food is called ..." in session 18).
NOVEL_NAMED = ("boat", "car", "bike", "plant", "guitar", "laptop", "robot", "van", "truck", "kayak", "drone",
               "piano", "doll", "teddy bear", "house", "band", "team", "phone", "motorbike", "camper")
NOVEL_FAVOURITES = ("season", "movie", "book", "song", "band", "game", "number", "holiday", "city", "singer",
                    "dessert", "tree", "bird", "shape", "board game", "tv show", "month", "smell", "actor", "car")

# The words that name what kind of thing a fact is about (the slots' qualifiers: a pet, a day, a
# favourite's category, and the things no slot is about), one word each, in both spellings: "my cat
# is called Miso" tells a cat's name, which "your dog is called Miso" does not state. Not those the
# slots' own sentences say of another fact ("my house is in Lisbon", "i turned 30 last month").
_SAID_OF_SLOTS = frozenset(word for slot in SLOTS for field in (slot.tell, slot.heldout_tell, slot.answers,
                                                                slot.heldout_answers, slot.ask, slot.heldout_ask,
                                                                slot.state, slot.bot_asks, slot.acks)
                           for template in field for word in re.findall(r"[a-z]+", re.sub(r"{\w}", " ", template)))
KIND_WORDS = frozenset(word.lower() for words in (*(slot.qualifiers for slot in SLOTS), NOVEL_NAMED, NOVEL_FAVOURITES, ("color",))
                       for word in words if word and " " not in word) - _SAID_OF_SLOTS

# Slots whose training values may also be invented words (copying must work for any spelling):
# all of them but the age.
INVENTED_SLOTS = tuple(slot.name for slot in SLOTS if slot.name != "age")


_SYLLABLES = ("ka", "lo", "ren", "vi", "dar", "mi", "sol", "tes", "bri", "no", "gan", "zel", "tor", "phe",
              "lan", "dru", "mo", "ny", "ser", "quo", "bel", "fin", "ra", "thu", "wen", "gor", "li", "za")
_PLACE_FORMS = ("{w}ville", "{w}burg", "{w}ton", "{w} City", "San {w}", "{w}stad", "{w}mouth", "{w}ia",
                "{w} {W}", "{W} Bay", "New {w}", "{w} Heights")
_PET_TITLES = ("Captain", "Miss", "Doctor", "Baby", "Professor", "Little", "Big")
_ACTIVITY_FORMS = ("visit {w}", "meet {w} for lunch", "go to {w}", "see {w} in concert", "drive to {w}",
                   "play {w} with friends", "fix the {w}", "watch {w}")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _code(rng: random.Random) -> str:
    """A model-number-like word: digits, sometimes with a letter (``42``, ``7X``, ``B12``)."""
    digits = str(rng.randint(1, 999))
    roll = rng.random()
    letter = rng.choice("ABCDEFGHJKLMNPRSTVXZ")
    return digits + letter if roll < 0.3 else letter + digits if roll < 0.5 else digits


def invented_value(rng: random.Random, slot: str) -> str:
    """A made-up value for ``slot``, sometimes mixed-case, of two words or with digits, so the
    model learns to copy spellings it has never seen, one word after another. A held-out word it
    happens to make is refused where values are drawn (:mod:`engine.data.memory`)."""
    word, roll = _word(rng), rng.random()
    if slot == "home":
        return rng.choice(_PLACE_FORMS).replace("{w}", word).replace("{W}", _word(rng))
    if slot == "plan":
        return rng.choice(_ACTIVITY_FORMS).replace("{w}", word)
    if slot == "job":
        return word.lower() + rng.choice(("ist", "er", "smith", " technician", " designer", "ian"))
    if slot.startswith("favourite_"):
        if roll < 0.6:
            return word.lower()
        return f"{word} {_code(rng)}" if roll < 0.8 else f"{word.lower()} {_word(rng).lower()}"
    if roll < 0.15:
        return rng.choice(("Mc", "De", "La", "Van")) + word
    if roll < 0.3 and slot == "pet_name":
        return f"{word}{rng.randint(1, 99)}" if roll < 0.22 else f"{rng.choice(_PET_TITLES)} {word}"
    if roll < 0.45:
        return f"{word} {_word(rng)}"  # a first name and a surname, a double name
    return word


def asks_what_the_user_told(question: str) -> bool:
    """Whether ``question`` is one the conversation memory answers: one of the memory data's own
    askings of a fact about the user ("What's my name?", "Who am I?"). Personality Chat answers such
    a group with the bot not knowing ("I don't know you, but I enjoy chatting with you!"); shipped,
    that answer was read on every "what's my name?" and said over the name the user had just told."""
    return _plain(question) in _memory_askings()


def without_what_the_user_told(items: Sequence[Item], pair: Callable[[Item], Sequence[str]] = tuple) -> list[Item]:
    """``items`` less the question-answer groups with a question the conversation memory answers
    (:func:`asks_what_the_user_told`); ``pair(item)`` gives an item's (question, answer). A
    question-answer corpus shares one answer among a group's phrasings, so the answer marks the
    group: "Who am I?" goes with "What's my name?"."""
    told = {pair(item)[1] for item in items if asks_what_the_user_told(pair(item)[0])}
    return [item for item in items if pair(item)[1] not in told]


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[\w']+", text.lower().replace("’", "'")))


@lru_cache(maxsize=None)
def _memory_askings() -> frozenset[str]:
    return frozenset(_plain(ask.replace("{q}", qualifier)) for slot in SLOTS for ask in slot.ask
                     for qualifier in slot.qualifiers)
