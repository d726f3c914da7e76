import * as probe from 'botbuilder';

export const used = probe;
