package types

import (
	"crypto/sha256"
	"encoding/hex"
)

// Word lists for hotspot names. Changing, reordering or extending a list
// renames every hotspot, so these lists are frozen; TestNameWordListsFrozen
// pins their length and a digest.

var nameAdjectives = [128]string{
	"able", "agile", "ancient", "angry", "bold", "brave", "breezy", "bright",
	"brisk", "broad", "calm", "careful", "cheerful", "clever", "cool", "cosmic",
	"crisp", "curious", "dapper", "daring", "deep", "delightful", "eager", "early",
	"easy", "elegant", "epic", "fancy", "fast", "fierce", "fluffy", "fond",
	"formal", "fresh", "friendly", "funny", "gentle", "giant", "glad", "glorious",
	"gorgeous", "graceful", "grand", "great", "happy", "hardy", "harsh", "helpful",
	"hidden", "high", "honest", "huge", "humble", "icy", "jolly", "joyful",
	"keen", "kind", "large", "lazy", "lively", "lone", "loud", "lucky",
	"mad", "magic", "mellow", "merry", "mighty", "mini", "modern", "narrow",
	"neat", "nice", "nimble", "noble", "odd", "old", "orbiting", "original",
	"patient", "perfect", "plain", "polite", "proud", "quaint", "quick", "quiet",
	"rapid", "rare", "real", "restless", "rich", "rough", "round", "rugged",
	"salty", "savory", "shiny", "short", "silly", "sleepy", "slow", "small",
	"smooth", "soft", "sour", "spicy", "steep", "stout", "strong", "sunny",
	"sweet", "swift", "tall", "tame", "tangy", "tart", "tidy", "tiny",
	"tough", "tricky", "trendy", "vast", "warm", "wild", "wise", "witty",
}

var nameColors = [64]string{
	"amber", "amethyst", "aqua", "azure", "beige", "black", "blue", "bronze",
	"brown", "burgundy", "carmine", "cerulean", "charcoal", "cherry", "chocolate", "cinnamon",
	"cobalt", "coral", "cream", "crimson", "cyan", "denim", "ebony", "emerald",
	"fuchsia", "garnet", "ginger", "gold", "gray", "green", "hazel", "indigo",
	"ivory", "jade", "khaki", "lavender", "lemon", "lilac", "lime", "magenta",
	"mahogany", "maroon", "mauve", "mint", "mustard", "navy", "ochre", "olive",
	"onyx", "orange", "peach", "pearl", "pink", "plum", "purple", "red",
	"rose", "ruby", "rust", "saffron", "sapphire", "silver", "teal", "violet",
}

var nameAnimals = [128]string{
	"albatross", "alligator", "alpaca", "antelope", "armadillo", "badger", "bat", "beaver",
	"bee", "bison", "boar", "bobcat", "buffalo", "butterfly", "camel", "canary",
	"caribou", "cat", "chameleon", "cheetah", "chipmunk", "cobra", "condor", "cougar",
	"coyote", "crab", "crane", "crow", "deer", "dingo", "dolphin", "donkey",
	"dove", "dragon", "duck", "eagle", "eel", "elephant", "elk", "emu",
	"falcon", "ferret", "finch", "flamingo", "fox", "frog", "gazelle", "gecko",
	"gerbil", "giraffe", "goat", "goose", "gorilla", "grasshopper", "gull", "hamster",
	"hare", "hawk", "hedgehog", "heron", "hippo", "hornet", "horse", "hyena",
	"ibis", "iguana", "impala", "jackal", "jaguar", "jay", "kangaroo", "kestrel",
	"kingfisher", "kitten", "koala", "lark", "lemur", "leopard", "lion", "lizard",
	"llama", "lobster", "lynx", "macaw", "magpie", "mallard", "mammoth", "manatee",
	"meerkat", "mink", "mole", "mongoose", "monkey", "moose", "moth", "mouse",
	"mule", "newt", "ocelot", "octopus", "okapi", "orca", "ostrich", "otter",
	"owl", "ox", "panda", "panther", "parrot", "pelican", "penguin", "pheasant",
	"pig", "pony", "porcupine", "puffin", "puma", "rabbit", "raccoon", "raven",
	"seal", "shark", "sheep", "skunk", "sparrow", "squirrel", "tiger", "turtle",
}

// NameWordListDigest is a SHA-256 over the three lists, for the frozen test.
func NameWordListDigest() string {
	h := sha256.New()
	for _, list := range [][]string{nameAdjectives[:], nameColors[:], nameAnimals[:]} {
		for _, w := range list {
			h.Write([]byte(w))
			h.Write([]byte{0})
		}
		h.Write([]byte{1})
	}
	return hex.EncodeToString(h.Sum(nil))
}
