package dev.backfill.cluster.seed;

import dev.backfill.protocol.call.SpeakerRole;
import java.util.SplittableRandom;

/**
 * What people say on a synthetic sales call. Sentences come from templates whose slots are filled
 * from small vocabularies (pricing, integrations, security, competitors, next steps, ...), so the
 * keyword and question processors find realistic material. A template is an array of literal
 * pieces ({@code String}) and slots ({@code String[]}, one word or phrase picked per use): writing
 * a sentence is then only appends, with no formatting or parsing, since a seed writes millions.
 */
final class SalesTalk {

  /** Where in the call an utterance falls: greetings and wrap-ups sound different. */
  enum Phase {
    OPENING,
    DISCUSSION,
    CLOSING
  }

  /** Below this an utterance is a quick acknowledgement ("Got it.") rather than a sentence. */
  static final long ACKNOWLEDGEMENT_MAX_MS = 2_000;

  /**
   * Characters of text per second of speech. Real speech runs at about 15; this is lower on
   * purpose so that a 20-minute call's JSON stays near the 14 KB the seeder aims for, the size per
   * call that the primary database's reads are sized for.
   */
  static final int TEXT_CHARS_PER_SECOND = 5;

  /** Roughly what one of the templates below comes to once filled in. */
  private static final int TYPICAL_SENTENCE_CHARS = 60;
  /** Sentences remembered per utterance to avoid repeats; longer utterances are rare. */
  private static final int MAX_DISTINCT_SENTENCES = 8;

  private static final double REP_QUESTION_CHANCE = 0.25;
  private static final double CUSTOMER_QUESTION_CHANCE = 0.30;

  private static final String[] SYSTEMS = {
    "Salesforce", "HubSpot", "Zoom", "Microsoft Teams", "Slack", "Okta", "Snowflake",
    "Google Workspace", "Zendesk", "Marketo"
  };
  // Made-up vendors: competitor mentions are what keyword jobs look for, real names add nothing.
  private static final String[] COMPETITORS = {
    "Callwise", "Pipestream", "Dealsight", "Voxly", "Quotabl", "Closeloop", "Revlytics",
    "Talkmetric"
  };
  private static final String[] TOPICS = {
    "pricing", "the renewal", "onboarding", "the security review", "single sign-on",
    "the integration", "the pilot", "the rollout", "reporting", "the contract", "implementation",
    "the budget", "data retention", "user permissions", "the API", "the timeline"
  };
  private static final String[] PAINS = {
    "ramping new reps", "forecast accuracy", "manual note taking", "deals slipping at quarter end",
    "pipeline visibility", "coaching at scale", "keeping the CRM up to date",
    "handoffs to customer success"
  };
  private static final String[] TEAMS = {
    "the sales team", "our SDRs", "customer success", "the enablement team", "IT",
    "our security team", "finance", "procurement", "leadership", "revenue operations"
  };
  private static final String[] APPROVERS = {
    "our CFO", "the VP of Sales", "our CRO", "the head of IT", "our legal team", "procurement"
  };
  private static final String[] TIMEFRAMES = {
    "this quarter", "next quarter", "by the end of the month", "before the holidays", "in Q3",
    "early next year", "within six weeks", "before our fiscal year ends"
  };
  private static final String[] SEATS = {
    "twenty", "thirty-five", "fifty", "eighty", "a hundred", "two hundred", "about forty"
  };
  private static final String[] AMOUNTS = {
    "forty thousand", "sixty thousand", "eighty thousand", "a hundred and twenty thousand"
  };
  private static final String[] DOCUMENTS = {
    "the proposal", "the SOC 2 report", "the security questionnaire", "a pricing summary",
    "the order form", "the implementation plan", "a couple of case studies",
    "the data processing agreement"
  };
  private static final String[] NEXT_STEPS = {
    "send over the proposal", "set up a technical deep dive", "loop in your security team",
    "schedule a demo for the wider team", "put together a mutual action plan",
    "start a two-week pilot", "get legal started on the contract",
    "book time with our solutions engineer"
  };
  private static final String[] FEATURES = {
    "call recording", "deal tracking", "coaching insights", "automatic summaries", "forecasting",
    "keyword alerts", "the analytics dashboard", "the CRM sync"
  };
  private static final String[] PRICE_TERMS = {
    "billed monthly", "billed annually", "billed quarterly",
    "billed annually with a multi-year discount", "billed annually with onboarding included"
  };
  private static final String[] SPANS = {
    "a few days", "two weeks", "about a month", "three to four weeks"
  };

  private static final Object[][] REP_STATEMENTS = {
    t("We can ", NEXT_STEPS, " ", TIMEFRAMES, "."),
    t("Most teams your size start with ", SEATS, " seats and expand after the pilot."),
    t("The integration with ", SYSTEMS, " usually takes ", SPANS, " to set up."),
    t("Compared to ", COMPETITORS, ", we put a lot more focus on ", FEATURES, "."),
    t("Pricing is per seat, ", PRICE_TERMS, ", so it grows with your team."),
    t("Our security team can walk ", TEAMS, " through ", DOCUMENTS, "."),
    t("A lot of our customers came to us because of ", PAINS, "."),
    t("I will ", NEXT_STEPS, " so we keep the timeline on track."),
    t("For a deal of around ", AMOUNTS, " dollars we can usually include onboarding."),
    t("Let me share my screen and show you ", FEATURES, "."),
    t("That is exactly where ", FEATURES, " helps with ", PAINS, "."),
    t("We sync with ", SYSTEMS, " in both directions, so nobody has to enter data twice.")
  };
  private static final Object[][] REP_QUESTIONS = {
    t("What does your timeline look like for ", TOPICS, "?"),
    t("Who else needs to be involved in signing off on ", TOPICS, "?"),
    t("How are you handling ", PAINS, " today?"),
    t("Is ", TIMEFRAMES, " realistic for ", TOPICS, "?"),
    t("Is there budget set aside for ", FEATURES, " ", TIMEFRAMES, "?"),
    t("Are you still evaluating ", COMPETITORS, "?"),
    t("Would it help if we could ", NEXT_STEPS, "?"),
    t("How many people on ", TEAMS, " would use it?"),
    t("Does ", APPROVERS, " need to see ", DOCUMENTS, " before you can move forward?"),
    t("What would success look like for ", TEAMS, "?")
  };
  private static final Object[][] CUSTOMER_STATEMENTS = {
    t("We are using ", COMPETITORS, " right now, but the contract ends ", TIMEFRAMES, "."),
    t("Our biggest problem is ", PAINS, "."),
    t("Budget is tight ", TIMEFRAMES, ", so we need to see a clear return."),
    t("Security will want to review ", DOCUMENTS, " before we sign anything."),
    t("It has to work with ", SYSTEMS, " from day one."),
    t("We would probably start with ", SEATS, " seats on ", TEAMS, "."),
    t("In the end ", APPROVERS, " has the final say on anything above ", AMOUNTS, " dollars."),
    t("We tried ", COMPETITORS, " last year and adoption was low."),
    t("The main thing for us is ", FEATURES, "."),
    t("We want to have something live ", TIMEFRAMES, "."),
    t("I need to check with ", TEAMS, " on ", TOPICS, "."),
    t("Honestly, ", PAINS, " is costing us deals.")
  };
  private static final Object[][] CUSTOMER_QUESTIONS = {
    t("How much would it cost for ", SEATS, " seats?"),
    t("Does it integrate with ", SYSTEMS, "?"),
    t("How long does implementation usually take?"),
    t("What makes you different from ", COMPETITORS, "?"),
    t("Can you send over ", DOCUMENTS, "?"),
    t("Where is our data stored, and for how long?"),
    t("Is there a discount if we sign ", TIMEFRAMES, "?"),
    t("What does the security review involve on your side?"),
    t("Can we run a pilot with ", TEAMS, " first?"),
    t("How does ", FEATURES, " work with ", SYSTEMS, "?")
  };
  private static final Object[][] ACKNOWLEDGEMENTS = {
    t("Right."), t("Got it."), t("Makes sense."), t("Okay, great."), t("Yeah, exactly."),
    t("Sure."), t("Mm-hmm."), t("That's fair."), t("Interesting."), t("Okay.")
  };
  private static final Object[][] REP_OPENINGS = {
    t("Hi everyone, thanks for making the time today."),
    t("Thanks for joining, great to meet you all."),
    t("Hey, good to see you again, thanks for hopping on.")
  };
  private static final Object[][] CUSTOMER_OPENINGS = {
    t("Hi, thanks for having us."),
    t("Good to meet you too."),
    t("Hey, glad we could make this work.")
  };
  private static final Object[][] REP_CLOSINGS = {
    t("Thanks again, I will send a recap with the next steps."),
    t("Great, I will send over ", DOCUMENTS, " after this call."),
    t("Perfect, let's ", NEXT_STEPS, " and reconnect ", TIMEFRAMES, ".")
  };
  private static final Object[][] CUSTOMER_CLOSINGS = {
    t("Sounds good, talk soon."), t("Thanks, this was really helpful."),
    t("Great, we will review it with ", TEAMS, " and get back to you.")
  };

  /**
   * Appends what one person says in an utterance lasting {@code durationMs}: sentences until the
   * text is about as long as that much speech, always at least one, opening with a greeting or
   * ending with a wrap-up when the phase calls for one. Very short utterances are only an
   * acknowledgement.
   */
  void say(
      SplittableRandom random, SpeakerRole role, Phase phase, long durationMs, StringBuilder out) {
    int begin = out.length();
    if (durationMs <= ACKNOWLEDGEMENT_MAX_MS) {
      append(random, pick(random, ACKNOWLEDGEMENTS), out);
      return;
    }
    boolean rep = role == SpeakerRole.REP;
    long budget = durationMs * TEXT_CHARS_PER_SECOND / 1_000;
    if (phase == Phase.OPENING) {
      append(random, pick(random, rep ? REP_OPENINGS : CUSTOMER_OPENINGS), out);
    } else if (phase == Phase.CLOSING) {
      // Room for the wrap-up, which comes last.
      budget -= TYPICAL_SENTENCE_CHARS;
    }
    double questionChance = rep ? REP_QUESTION_CHANCE : CUSTOMER_QUESTION_CHANCE;
    Object[][] said = new Object[MAX_DISTINCT_SENTENCES][];
    int saidCount = 0;
    // Another sentence only while that brings the text closer to the budget than stopping would;
    // an utterance outside the closing always has at least one.
    while ((out.length() == begin && phase != Phase.CLOSING)
        || out.length() - begin + TYPICAL_SENTENCE_CHARS / 2 < budget) {
      separate(out, begin);
      boolean question = random.nextDouble() < questionChance;
      Object[][] templates =
          rep
              ? (question ? REP_QUESTIONS : REP_STATEMENTS)
              : (question ? CUSTOMER_QUESTIONS : CUSTOMER_STATEMENTS);
      Object[] template = pick(random, templates);
      // Nobody says the same kind of sentence twice in one breath; a few redraws are enough to
      // make that rare, and a bounded number keeps the cost fixed.
      for (int redraw = 0; redraw < 3 && contains(said, saidCount, template); redraw++) {
        template = pick(random, templates);
      }
      if (saidCount < said.length) {
        said[saidCount++] = template;
      }
      append(random, template, out);
    }
    if (phase == Phase.CLOSING) {
      separate(out, begin);
      append(random, pick(random, rep ? REP_CLOSINGS : CUSTOMER_CLOSINGS), out);
    }
  }

  private static void separate(StringBuilder out, int begin) {
    if (out.length() > begin) {
      out.append(' ');
    }
  }

  private static boolean contains(Object[][] said, int count, Object[] template) {
    for (int i = 0; i < count; i++) {
      if (said[i] == template) {
        return true;
      }
    }
    return false;
  }

  private static void append(SplittableRandom random, Object[] template, StringBuilder out) {
    for (Object piece : template) {
      if (piece instanceof String[] choices) {
        out.append(choices[random.nextInt(choices.length)]);
      } else {
        out.append((String) piece);
      }
    }
  }

  private static Object[] pick(SplittableRandom random, Object[][] templates) {
    return templates[random.nextInt(templates.length)];
  }

  private static Object[] t(Object... pieces) {
    return pieces;
  }
}
